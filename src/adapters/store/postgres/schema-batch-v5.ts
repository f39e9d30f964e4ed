// The PostgreSQL schema, continued: migration v5, the group commit functions again with
// the costs measured in v3 and v4 removed (bench/README.md#postgresql).

/**
 * contra_batch_read and contra_batch_apply replace contra_batch_state and
 * contra_batch_write (which stay, so processes of the previous build keep working during
 * a rolling upgrade). Measured on the v3 functions: a `json` argument is parsed again by
 * every `->` on it, so a batch of 8 transfers parsed its 9 KB document eleven times
 * (~30% of contra_batch_write); here the document is `jsonb`, parsed once on input, and
 * a part the batch does not have is absent and skipped rather than run as an empty
 * statement. Updates stay one statement per row, each a primary-key probe. Plans are
 * generic from the first call (plan_cache_mode): every statement is written to be index
 * probes whatever its arguments, and PostgreSQL otherwise re-plans a statement whose
 * custom plans look cheaper than the generic one — as unnest of a known array does —
 * on every call (measured: 20-25% less server CPU per single-transfer batch).
 */
export const schemaVersion5 = `
CREATE FUNCTION contra_batch_read(keys jsonb) RETURNS text LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  k record;
  v_records json[] := '{}'; v_accounts json[] := '{}'; v_heads json[] := '{}';
  v_transfers json[] := '{}'; v_resolved json[] := '{}'; v_ledger json[] := '{}';
BEGIN
  -- As in v3: keys grouped by tenant (and kind) and sorted, so locks are taken in one
  -- global order (records, accounts, audit heads), each key one index probe.
  FOR k IN SELECT * FROM jsonb_to_recordset(keys->'records') AS x(tenant_id text, kind text, ids text[]) LOOP
    v_records := v_records || ARRAY(SELECT json_build_object('tenant_id', r.tenant_id, 'kind', r.kind, 'id', r.id, 'version', r.version::text)
      FROM unnest(k.ids) AS i(id) CROSS JOIN LATERAL (SELECT * FROM records r WHERE r.tenant_id = k.tenant_id AND r.kind = k.kind AND r.id = i.id FOR UPDATE) r);
  END LOOP;
  FOR k IN SELECT * FROM jsonb_to_recordset(keys->'accounts') AS x(tenant_id text, ids text[]) LOOP
    v_accounts := v_accounts || ARRAY(SELECT json_build_object('tenant_id', a.tenant_id, 'id', a.id, 'type', a.type, 'currency', a.currency, 'name', a.name,
        'allow_negative', CASE WHEN a.allow_negative THEN '1' ELSE '0' END, 'created_at', a.created_at::text,
        'debits_posted', a.debits_posted::text, 'credits_posted', a.credits_posted::text,
        'debits_pending', a.debits_pending::text, 'credits_pending', a.credits_pending::text, 'last_committed_at', a.last_committed_at::text)
      FROM unnest(k.ids) AS i(id) CROSS JOIN LATERAL (SELECT * FROM accounts a WHERE a.tenant_id = k.tenant_id AND a.id = i.id FOR UPDATE) a);
  END LOOP;
  FOR k IN SELECT * FROM jsonb_to_recordset(keys->'streams') AS x(tenant_id text, ids text[]) LOOP
    v_heads := v_heads || ARRAY(SELECT json_build_object('tenant_id', h.tenant_id, 'stream', h.stream, 'sequence', h.sequence::text, 'hash', h.hash)
      FROM unnest(k.ids) AS i(id) CROSS JOIN LATERAL (SELECT * FROM audit_heads h WHERE h.tenant_id = k.tenant_id AND h.stream = i.id FOR UPDATE) h);
  END LOOP;
  FOR k IN SELECT * FROM jsonb_to_recordset(keys->'transfers') AS x(tenant_id text, ids text[]) LOOP
    v_transfers := v_transfers || ARRAY(SELECT json_build_object('sequence', t.sequence::text, 'tenant_id', t.tenant_id, 'id', t.id, 'kind', t.kind,
        'debit_account_id', t.debit_account_id, 'credit_account_id', t.credit_account_id, 'amount_minor', t.amount_minor::text, 'currency', t.currency,
        'pending_id', t.pending_id, 'pending_amount_minor', t.pending_amount_minor::text, 'transaction_id', t.transaction_id, 'code', t.code,
        'corrects_transfer_id', t.corrects_transfer_id, 'description', t.description, 'committed_at', t.committed_at::text)
      FROM unnest(k.ids) AS i(id) CROSS JOIN LATERAL (SELECT * FROM transfers t WHERE t.tenant_id = k.tenant_id AND t.id = i.id OFFSET 0) t);
  END LOOP;
  FOR k IN SELECT * FROM jsonb_to_recordset(keys->'pendings') AS x(tenant_id text, ids text[]) LOOP
    v_resolved := v_resolved || ARRAY(SELECT json_build_object('tenant_id', t.tenant_id, 'pending_id', t.pending_id)
      FROM unnest(k.ids) AS i(id) CROSS JOIN LATERAL (SELECT * FROM transfers t WHERE t.tenant_id = k.tenant_id AND t.pending_id = i.id OFFSET 0) t);
  END LOOP;
  FOR k IN SELECT * FROM jsonb_to_recordset(keys->'ledger') AS x(tenant_id text, ids text[]) LOOP
    v_ledger := v_ledger || ARRAY(SELECT json_build_object('tenant_id', e.tenant_id, 'transaction_id', e.transaction_id, 'sequence', e.sequence::text)
      FROM unnest(k.ids) AS i(id) CROSS JOIN LATERAL (SELECT * FROM ledger_entries e WHERE e.tenant_id = k.tenant_id AND e.transaction_id = i.id OFFSET 0) e);
  END LOOP;
  RETURN json_build_object('records', array_to_json(v_records), 'accounts', array_to_json(v_accounts), 'heads', array_to_json(v_heads),
    'transfers', array_to_json(v_transfers), 'resolved', array_to_json(v_resolved), 'ledger', array_to_json(v_ledger))::text;
END $$;
CREATE FUNCTION contra_batch_apply(w jsonb) RETURNS void LANGUAGE plpgsql
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
        RAISE EXCEPTION 'record %/% changed under its lock', v_row.kind, v_row.id;
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
    FOR v_row IN SELECT * FROM jsonb_to_recordset(v_part) AS a(tenant_id text, id text, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint) LOOP
      UPDATE accounts SET debits_posted = v_row.debits_posted, credits_posted = v_row.credits_posted,
          debits_pending = v_row.debits_pending, credits_pending = v_row.credits_pending, last_committed_at = v_at
        WHERE tenant_id = v_row.tenant_id AND id = v_row.id;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      IF v_count <> 1 THEN
        RAISE EXCEPTION 'account % vanished under its lock', v_row.id;
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
    INSERT INTO audit_heads (tenant_id, stream, sequence, hash)
      SELECT x.tenant_id, x.stream, x.sequence, x.hash FROM jsonb_to_recordset(w->'heads') AS x(tenant_id text, stream text, sequence int, hash text)
      ON CONFLICT (tenant_id, stream) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash;
  END IF;
  v_part := w->'outbox';
  IF v_part IS NOT NULL THEN
    INSERT INTO outbox (tenant_id, id, topic, at, payload, committed_at)
      SELECT x.tenant_id, x.id, x.topic, x.at, x.payload::json, v_at
      FROM jsonb_to_recordset(v_part) AS x(tenant_id text, id text, topic text, at bigint, payload text);
  END IF;
END $$;
`;
