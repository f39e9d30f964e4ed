// The PostgreSQL schema, continued: migration v6, batches decided on remembered state.

/**
 * contra_batch_apply again, so that a batch can be committed in one round trip when the
 * process already knows the rows it reads (the accounts and audit heads its own last
 * commits left, bench/README.md#postgresql). Such a batch sends, with each account it
 * changes, the balances it expects the row to hold; the update compares them after taking
 * the row lock, and a row that differs — another process moved money meanwhile — raises
 * SQLSTATE CTR01, writing nothing, so the batch is decided again from a locked read. A
 * record not at the version the batch expects, or an audit head not at the sequence the
 * batch chained onto, raises CTR01 too (the heads check holds for every batch: a chain
 * never forks or skips). Everything else the batch assumed is checked by the constraint it
 * would break: a transfer, pending resolution, ledger position, audit record or account
 * that already exists is a unique violation. A batch decided on a locked read sends no
 * "expected" and its rows are as in v5.
 */
export const schemaVersion6 = `
CREATE OR REPLACE FUNCTION contra_batch_apply(w jsonb) RETURNS void LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_at bigint := (w->>'committed_at')::bigint;
  v_count bigint;
  v_part jsonb;
  v_row record;
BEGIN
  INSERT INTO tenants (tenant_id, first_committed_at)
    SELECT t, v_at FROM jsonb_array_elements_text(w->'tenants') AS t ON CONFLICT (tenant_id) DO NOTHING;
  v_part := w->'records_new';
  IF v_part IS NOT NULL THEN
    INSERT INTO records (tenant_id, kind, id, version, body, index_key, created_at, updated_at)
      SELECT x.tenant_id, x.kind, x.id, x.version, x.body::json, x.index_key, x.at, x.at
      FROM jsonb_to_recordset(v_part) AS x(tenant_id text, kind text, id text, version int, body text, index_key text, at bigint);
  END IF;
  v_part := w->'records_changed';
  IF v_part IS NOT NULL THEN
    -- Row by row, as in v3: one primary-key probe per update whatever the statistics say.
    -- (One UPDATE … FROM the rows was measured to plan as a bitmap scan of the tenant's
    -- whole table, matched through the row-level security predicate, on a small table.)
    FOR v_row IN SELECT * FROM jsonb_to_recordset(v_part) AS r(tenant_id text, kind text, id text, version int, body text, index_key text, at bigint, expected_version int) LOOP
      UPDATE records SET version = v_row.version, body = v_row.body::json, index_key = v_row.index_key, updated_at = v_row.at
        WHERE tenant_id = v_row.tenant_id AND kind = v_row.kind AND id = v_row.id AND version = v_row.expected_version;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      IF v_count <> 1 THEN
        RAISE EXCEPTION 'record %/% is not at version %', v_row.kind, v_row.id, v_row.expected_version USING ERRCODE = 'CTR01';
      END IF;
    END LOOP;
  END IF;
  v_part := w->'accounts_new';
  IF v_part IS NOT NULL THEN
    INSERT INTO accounts (tenant_id, id, type, currency, name, allow_negative, created_at,
        debits_posted, credits_posted, debits_pending, credits_pending, last_committed_at)
      SELECT x.tenant_id, x.id, x.type, x.currency, x.name, x.allow_negative, x.created_at,
        x.debits_posted, x.credits_posted, x.debits_pending, x.credits_pending, v_at
      FROM jsonb_to_recordset(v_part) AS x(tenant_id text, id text, type text, currency text, name text, allow_negative boolean,
        created_at bigint, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint);
  END IF;
  v_part := w->'accounts_changed';
  IF v_part IS NOT NULL THEN
    FOR v_row IN SELECT * FROM jsonb_to_recordset(v_part) AS a(tenant_id text, id text, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint,
        expected jsonb) LOOP
      -- With "expected" (a batch decided on remembered balances), the row must still hold
      -- exactly them: the update takes the row lock and then compares.
      UPDATE accounts SET debits_posted = v_row.debits_posted, credits_posted = v_row.credits_posted,
          debits_pending = v_row.debits_pending, credits_pending = v_row.credits_pending, last_committed_at = v_at
        WHERE tenant_id = v_row.tenant_id AND id = v_row.id
          AND (v_row.expected IS NULL OR (debits_posted = (v_row.expected->>'debits_posted')::bigint
            AND credits_posted = (v_row.expected->>'credits_posted')::bigint AND debits_pending = (v_row.expected->>'debits_pending')::bigint
            AND credits_pending = (v_row.expected->>'credits_pending')::bigint AND last_committed_at = (v_row.expected->>'last_committed_at')::bigint));
      GET DIAGNOSTICS v_count = ROW_COUNT;
      IF v_count <> 1 THEN
        RAISE EXCEPTION 'account % is not as the batch expected', v_row.id USING ERRCODE = 'CTR01';
      END IF;
    END LOOP;
  END IF;
  v_part := w->'transfers';
  IF v_part IS NOT NULL THEN
    WITH inserted AS (
      INSERT INTO transfers (tenant_id, id, kind, debit_account_id, credit_account_id, amount_minor, currency,
          pending_id, pending_amount_minor, transaction_id, code, corrects_transfer_id, description, committed_at)
        SELECT x.tenant_id, x.id, x.kind, x.debit_account_id, x.credit_account_id, x.amount_minor, x.currency,
          x.pending_id, x.pending_amount_minor, x.transaction_id, x.code, x.corrects_transfer_id, x.description, v_at
        FROM jsonb_to_recordset(v_part) AS x(ord int, tenant_id text, id text, kind text, debit_account_id text, credit_account_id text,
          amount_minor bigint, currency text, pending_id text, pending_amount_minor bigint, transaction_id text, code text,
          corrects_transfer_id text, description text)
        ORDER BY x.ord
        RETURNING tenant_id, id, sequence)
    INSERT INTO account_balances (tenant_id, account_id, transfer_sequence, committed_at, debits_posted, credits_posted, debits_pending, credits_pending)
      SELECT x.tenant_id, x.account_id, t.sequence, v_at, x.debits_posted, x.credits_posted, x.debits_pending, x.credits_pending
      FROM jsonb_to_recordset(w->'history') AS x(ord int, tenant_id text, account_id text, transfer_id text,
        debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint)
      JOIN inserted t ON t.tenant_id = x.tenant_id AND t.id = x.transfer_id
      ORDER BY x.ord;
  END IF;
  v_part := w->'ledger';
  IF v_part IS NOT NULL THEN
    INSERT INTO ledger_entries (tenant_id, transaction_id, sequence, status, at, transfer_ids, details, committed_at)
      SELECT x.tenant_id, x.transaction_id, x.sequence, x.status, x.at, x.transfer_ids::json, x.details::json, v_at
      FROM jsonb_to_recordset(v_part) AS x(tenant_id text, transaction_id text, sequence int, status text, at bigint, transfer_ids text, details text);
  END IF;
  v_part := w->'audit';
  IF v_part IS NOT NULL THEN
    INSERT INTO audit_records (tenant_id, stream, sequence, id, at, action, initiator, transaction_id, refund_id, reversal_id,
        amount, currency, status, reason, details, previous_hash, hash)
      SELECT x.tenant_id, x.stream, x.sequence, x.id, x.at, x.action, x.initiator, x.transaction_id, x.refund_id, x.reversal_id,
        x.amount, x.currency, x.status, x.reason, x.details::json, x.previous_hash, x.hash
      FROM jsonb_to_recordset(v_part) AS x(tenant_id text, stream text, sequence int, id text, at bigint, action text, initiator text,
        transaction_id text, refund_id text, reversal_id text, amount text, currency text, status text, reason text, details text,
        previous_hash text, hash text);
    -- Each head moves from the sequence the batch chained onto (0: a new stream), or the
    -- batch raises: a chain never forks or skips, whatever the batch was decided on.
    FOR v_row IN SELECT * FROM jsonb_to_recordset(w->'heads') AS x(tenant_id text, stream text, sequence int, hash text, previous_sequence int) LOOP
      IF v_row.previous_sequence IS NULL THEN
        INSERT INTO audit_heads (tenant_id, stream, sequence, hash) VALUES (v_row.tenant_id, v_row.stream, v_row.sequence, v_row.hash)
          ON CONFLICT (tenant_id, stream) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash;
        CONTINUE;
      ELSIF v_row.previous_sequence = 0 THEN
        INSERT INTO audit_heads (tenant_id, stream, sequence, hash) VALUES (v_row.tenant_id, v_row.stream, v_row.sequence, v_row.hash)
          ON CONFLICT (tenant_id, stream) DO NOTHING;
      ELSE
        UPDATE audit_heads SET sequence = v_row.sequence, hash = v_row.hash
          WHERE tenant_id = v_row.tenant_id AND stream = v_row.stream AND sequence = v_row.previous_sequence;
      END IF;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      IF v_count <> 1 THEN
        RAISE EXCEPTION 'audit stream % is not at sequence %', v_row.stream, v_row.previous_sequence USING ERRCODE = 'CTR01';
      END IF;
    END LOOP;
  END IF;
  v_part := w->'outbox';
  IF v_part IS NOT NULL THEN
    INSERT INTO outbox (tenant_id, id, topic, at, payload, committed_at)
      SELECT x.tenant_id, x.id, x.topic, x.at, x.payload::json, v_at
      FROM jsonb_to_recordset(v_part) AS x(tenant_id text, id text, topic text, at bigint, payload text);
  END IF;
END $$;
`;
