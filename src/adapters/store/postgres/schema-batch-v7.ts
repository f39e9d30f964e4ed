// The PostgreSQL schema, continued: migration v7, a batch's account updates as one
// statement instead of one per account.
import { schemaVersion6 } from './schema-batch-v6.ts';

/**
 * v6's contra_batch_apply updated each account in its own statement, and each statement
 * paid PostgreSQL's executor set-up again (plan initialisation, row-level security and
 * CHECK expressions read back from the catalog, permission checks): for a batch of 8
 * transfers, 15 of them were about a third of the function's CPU (bench/README.md). Here
 * the accounts are taken in two statements whatever their number:
 *
 * 1. One locking read: the accounts in the order the batch sends them (sorted by key, as
 *    every batch and the locked read take them, so that concurrent batches never
 *    deadlock), each one primary-key probe under FOR NO KEY UPDATE — the lock an update
 *    takes. It returns each row's physical address and compares each account with the
 *    balances the batch expected (schema-batch-v6.ts); a missing or changed account
 *    raises CTR01, writing nothing.
 * 2. One update by those addresses (contra_accounts_set). The rows are ours until the
 *    transaction ends, so the addresses stay theirs; the function allows PostgreSQL no
 *    scan of accounts but by address, so the update never reads the tenant's accounts,
 *    whatever the table's statistics say.
 *
 * 3. The tenant list is written only when the document names tenants (the process
 *    leaves out those its commits already listed), instead of an empty insert per batch.
 *
 * The rest of contra_batch_apply is v6's, unchanged. JIT compilation is off in both:
 * disabled scan methods make costs look huge, which would otherwise start the compiler.
 * contra_accounts_set sets only what its one statement needs (each setting is saved and
 * restored on every call); it runs inside contra_batch_apply, whose generic plans and
 * disabled joins it inherits. Measured together, 3. and the fewer settings: 172 → 160 µs
 * of server CPU per transfer (8 clients, 50 accounts, alternating phases).
 */
const accountsSet = `
CREATE FUNCTION contra_accounts_set(p_rows jsonb, p_addresses tid[], p_at bigint) RETURNS bigint LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_indexscan = off SET enable_indexonlyscan = off SET enable_bitmapscan = off SET jit = off AS $$
DECLARE
  v_count bigint;
BEGIN
  UPDATE accounts a SET debits_posted = x.debits_posted, credits_posted = x.credits_posted,
      debits_pending = x.debits_pending, credits_pending = x.credits_pending, last_committed_at = p_at
    FROM ROWS FROM (jsonb_to_recordset(p_rows) AS (debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint),
        unnest(p_addresses)) AS x(debits_posted, credits_posted, debits_pending, credits_pending, address)
    WHERE a.ctid = x.address;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;
`;

/**
 * A batch decided on remembered rows is one statement, sent outside BEGIN so that it is
 * its own transaction: it declares the batch's tenants for row-level security (as SET
 * LOCAL would, until the transaction ends) and writes. One statement with the document as
 * a bound parameter, rather than BEGIN, SET LOCAL, a call with the document as SQL text and
 * COMMIT, spares the server lexing the document and planning four statements.
 */
export const batchCommit = `
CREATE FUNCTION contra_batch_commit(p_tenant_ids text, w jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('contra.tenant_ids', p_tenant_ids, true);
  PERFORM contra_batch_apply(w);
END $$;
`;

const accountsChanged = `  v_part := w->'accounts_changed';
  IF v_part IS NOT NULL THEN
    -- Locked in the order sent, checked against what the batch expected, then updated at once.
    SELECT array_agg(l.address ORDER BY v.n), count(*),
        count(*) FILTER (WHERE v.expected IS NOT NULL
          AND (l.debits_posted, l.credits_posted, l.debits_pending, l.credits_pending, l.last_committed_at)
            IS DISTINCT FROM ((v.expected->>'debits_posted')::bigint, (v.expected->>'credits_posted')::bigint,
              (v.expected->>'debits_pending')::bigint, (v.expected->>'credits_pending')::bigint, (v.expected->>'last_committed_at')::bigint))
      INTO v_addresses, v_count, v_stale
      FROM ROWS FROM (jsonb_to_recordset(v_part) AS (tenant_id text, id text, expected jsonb)) WITH ORDINALITY AS v(tenant_id, id, expected, n)
      CROSS JOIN LATERAL (SELECT a.ctid AS address, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.last_committed_at
        FROM accounts a WHERE a.tenant_id = v.tenant_id AND a.id = v.id FOR NO KEY UPDATE) l;
    IF v_count <> jsonb_array_length(v_part) OR v_stale <> 0 THEN
      RAISE EXCEPTION 'an account of the batch is missing or not as the batch expected' USING ERRCODE = 'CTR01';
    END IF;
    IF contra_accounts_set(v_part, v_addresses, v_at) <> v_count THEN
      RAISE EXCEPTION 'an account of the batch was not updated' USING ERRCODE = 'CTR01';
    END IF;
  END IF;
`;

/**
 * An earlier migration's text with `from` replaced by `to`; `from` must occur exactly once
 * (a released migration never changes, so neither does what is derived from it).
 */
export function replacedOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`migration: expected one occurrence of ${JSON.stringify(from.slice(0, 60))}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function withAccountsChanged(v6: string): string {
  const start = "  v_part := w->'accounts_changed';";
  const end = "  v_part := w->'transfers';";
  const from = v6.slice(v6.indexOf(start), v6.indexOf(end));
  if (!from.startsWith(start)) throw new Error('migration v7: v6 has no accounts_changed part');
  return replacedOnce(v6, from, accountsChanged);
}

/** The tenant list is written only when the batch names a tenant its process has not seen committed (batch-cache.ts). */
const tenantsPart = `  v_part := w->'tenants';
  IF v_part IS NOT NULL THEN
    INSERT INTO tenants (tenant_id, first_committed_at)
      SELECT t, v_at FROM jsonb_array_elements_text(v_part) AS t ON CONFLICT (tenant_id) DO NOTHING;
  END IF;
`;

/** v7's contra_batch_apply (CREATE OR REPLACE), which later migrations change in turn. */
export const batchApplyVersion7 = [
  (text: string) => replacedOnce(text, `  INSERT INTO tenants (tenant_id, first_committed_at)
    SELECT t, v_at FROM jsonb_array_elements_text(w->'tenants') AS t ON CONFLICT (tenant_id) DO NOTHING;
`, tenantsPart),
  (text: string) => withAccountsChanged(text),
  (text: string) => replacedOnce(text, '  v_row record;\n', '  v_row record;\n  v_addresses tid[];\n  v_stale bigint;\n'),
  (text: string) => replacedOnce(text, 'SET plan_cache_mode = force_generic_plan AS $$', 'SET plan_cache_mode = force_generic_plan SET jit = off AS $$'),
].reduce((text, change) => change(text), schemaVersion6);

export const schemaVersion7 = accountsSet + batchApplyVersion7 + batchCommit;
