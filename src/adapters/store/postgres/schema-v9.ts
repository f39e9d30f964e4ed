// The PostgreSQL schema, continued: migration v9, a transfer's accounts checked once per
// batch instead of by two foreign-key lookups per transfer.
import { batchApplyVersion7, replacedOnce } from './schema-batch-v7.ts';

/**
 * A transfer must name accounts that exist, of its own tenant. Until v8 two foreign keys
 * said so, and PostgreSQL checked each inserted transfer against each of them with a
 * query of its own, run after the statement (two per transfer, each paying executor
 * set-up: 90 → 78 µs of server CPU per transfer when they are gone, 8 clients, 50
 * accounts, bench/README.md).
 *
 * contra_batch_apply is the only writer of transfers, and it already holds what those
 * lookups would find: every account a batch moves is in `accounts_changed` — taken under
 * its row lock by the batch's locking read, which raises when one is missing
 * (schema-batch-v7.ts) — or in `accounts_new`, inserted by the batch itself; accounts are
 * never deleted (the accounts_no_delete trigger). So one statement per batch now checks
 * each transfer's two accounts against those two lists, and raises SQLSTATE 23503
 * (foreign_key_violation, as the foreign key did), writing nothing, for a transfer that
 * names any other account. This is stricter than the foreign key: an existing account
 * the batch did not lock and move is refused too, so no transfer is ever stored without
 * its accounts' balances moving in the same transaction.
 *
 * The foreign key from a pending resolution to its pending transfer stays: it is checked
 * only for the resolutions, whose pending_id is set.
 */
const accountsChecked = `  v_part := w->'transfers';
  IF v_part IS NOT NULL THEN
    -- Each transfer's accounts are ones this batch locked and found, or created.
    IF EXISTS (SELECT FROM jsonb_to_recordset(v_part) AS x(tenant_id text, debit_account_id text, credit_account_id text)
        CROSS JOIN LATERAL (VALUES (x.debit_account_id), (x.credit_account_id)) AS s(account_id)
        WHERE NOT EXISTS (SELECT FROM jsonb_to_recordset(coalesce(w->'accounts_changed', '[]') || coalesce(w->'accounts_new', '[]')) AS a(tenant_id text, id text)
          WHERE a.tenant_id = x.tenant_id AND a.id = s.account_id)) THEN
      RAISE EXCEPTION 'a transfer of the batch names an account the batch neither locked nor created' USING ERRCODE = 'foreign_key_violation';
    END IF;
`;

/** v9's contra_batch_apply (CREATE OR REPLACE), from which v10's functions are derived. */
export const batchApplyVersion9 = replacedOnce(batchApplyVersion7, `  v_part := w->'transfers';
  IF v_part IS NOT NULL THEN
`, accountsChecked);

export const schemaVersion9 = `
ALTER TABLE transfers DROP CONSTRAINT transfers_tenant_id_debit_account_id_fkey;
ALTER TABLE transfers DROP CONSTRAINT transfers_tenant_id_credit_account_id_fkey;
` + batchApplyVersion9;
