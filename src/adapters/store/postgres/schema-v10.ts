// The PostgreSQL schema, continued: migration v10, a batch decided on remembered rows that
// another process has moved since is shifted, not refused, on accounts without a limit.
import { batchCommit, replacedOnce } from './schema-batch-v7.ts';
import { batchApplyVersion9 } from './schema-v9.ts';

/**
 * Until v9, a batch decided on remembered rows (schema-batch-v6.ts) raised CTR01 when an
 * account it changes no longer held the balances it was decided on, and the process
 * decided it again on a locked read: two round trips, the row locks held across the
 * second one and the decision, and the account then read under lock for a while. With two
 * processes on the same accounts almost every batch went that way (bench/README.md: two
 * stores did 0.63× the pure-SQL ledger where one did 1.35×).
 *
 * An account that may go negative (`allow_negative`) has no balance limit, so a batch's
 * decision does not depend on its balances: whatever another process moved, the batch's
 * transfers are as valid. v10 commits such a batch anyway — under the same row lock —
 * shifting what it writes for that account by what the other process moved: the new
 * balances and each balance-history row become what the batch sent plus (balances now −
 * balances expected), so the account's balance stays the sum of its transfers and its
 * history a running sum in commit order. Since the other process's last commit of the
 * account may be stamped as late as this batch (clocks, or the same millisecond), the
 * batch is then stamped after the latest last commit of the accounts it locked (an
 * account's commits are stamped in order, docs/operating/postgresql.md). It still raises
 * CTR01, writing nothing, when a changed account is limited (a changed balance could change
 * the decision).
 *
 * The functions return, when they shifted anything, `{"committed_at": …, "shifts":
 * [{"tenant_id", "id", "debits_posted", "credits_posted", "debits_pending",
 * "credits_pending"}, …]}`, each balance a delta as a decimal string (null otherwise), so
 * that the process can correct what it remembers and tell its callers when their
 * changesets were committed. A batch whose accounts nobody else moved runs the v9 path with
 * one more column read and two more aggregates (a count and a max).
 *
 * New functions (`contra_batch_apply_v10`, `contra_batch_commit_v10`); v9's stay for
 * processes of the previous build during a rolling upgrade.
 */
const accountsPart = `  v_part := w->'accounts_changed';
  IF v_part IS NOT NULL THEN
    -- Locked in the order sent, checked against what the batch expected, then updated at once.
    SELECT array_agg(l.address ORDER BY v.n), count(*),
        count(*) FILTER (WHERE v.expected IS NOT NULL AND (l.debits_posted, l.credits_posted, l.debits_pending, l.credits_pending, l.last_committed_at)
            IS DISTINCT FROM ((v.expected->>'debits_posted')::bigint, (v.expected->>'credits_posted')::bigint,
              (v.expected->>'debits_pending')::bigint, (v.expected->>'credits_pending')::bigint, (v.expected->>'last_committed_at')::bigint)),
        count(*) FILTER (WHERE v.expected IS NOT NULL AND l.allow_negative
          AND (l.debits_posted, l.credits_posted, l.debits_pending, l.credits_pending, l.last_committed_at)
            IS DISTINCT FROM ((v.expected->>'debits_posted')::bigint, (v.expected->>'credits_posted')::bigint,
              (v.expected->>'debits_pending')::bigint, (v.expected->>'credits_pending')::bigint, (v.expected->>'last_committed_at')::bigint)),
        max(l.last_committed_at)
      INTO v_addresses, v_count, v_stale, v_shifted, v_latest
      FROM ROWS FROM (jsonb_to_recordset(v_part) AS (tenant_id text, id text, expected jsonb)) WITH ORDINALITY AS v(tenant_id, id, expected, n)
      CROSS JOIN LATERAL (SELECT a.ctid AS address, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.last_committed_at, a.allow_negative
        FROM accounts a WHERE a.tenant_id = v.tenant_id AND a.id = v.id FOR NO KEY UPDATE) l;
    IF v_count <> jsonb_array_length(v_part) OR v_stale <> v_shifted THEN
      RAISE EXCEPTION 'an account of the batch is missing or not as the batch expected' USING ERRCODE = 'CTR01';
    END IF;
    IF v_shifted > 0 THEN
      -- What other processes moved on the unlimited accounts (the rows are ours until the
      -- transaction ends, so reading them again by address finds them as locked).
      SELECT jsonb_agg(jsonb_build_object('tenant_id', v.tenant_id, 'id', v.id,
            'debits_posted', (a.debits_posted - (v.expected->>'debits_posted')::bigint)::text,
            'credits_posted', (a.credits_posted - (v.expected->>'credits_posted')::bigint)::text,
            'debits_pending', (a.debits_pending - (v.expected->>'debits_pending')::bigint)::text,
            'credits_pending', (a.credits_pending - (v.expected->>'credits_pending')::bigint)::text) ORDER BY v.n)
        INTO v_shifts
        FROM ROWS FROM (jsonb_to_recordset(v_part) AS (tenant_id text, id text, expected jsonb), unnest(v_addresses)) WITH ORDINALITY AS v(tenant_id, id, expected, address, n)
        JOIN accounts a ON a.ctid = v.address
        WHERE v.expected IS NOT NULL AND (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.last_committed_at)
          IS DISTINCT FROM ((v.expected->>'debits_posted')::bigint, (v.expected->>'credits_posted')::bigint,
            (v.expected->>'debits_pending')::bigint, (v.expected->>'credits_pending')::bigint, (v.expected->>'last_committed_at')::bigint);
      -- Stamped after the last commit of every account it moves (another process's commit
      -- may be stamped as late as this batch): the accounts it created just now too.
      IF v_latest >= v_at THEN
        v_at := v_latest + 1;
        IF w->'accounts_new' IS NOT NULL THEN
          UPDATE accounts a SET last_committed_at = v_at
            FROM jsonb_to_recordset(w->'accounts_new') AS x(tenant_id text, id text) WHERE a.tenant_id = x.tenant_id AND a.id = x.id;
        END IF;
      END IF;
      v_result := jsonb_build_object('committed_at', v_at, 'shifts', v_shifts);
    END IF;
    IF contra_accounts_set(v_part, v_addresses, v_at) <> v_count THEN
      RAISE EXCEPTION 'an account of the batch was not updated' USING ERRCODE = 'CTR01';
    END IF;
    IF v_shifted > 0 THEN
      -- The shifted accounts: what the batch sent, plus what the other processes moved.
      UPDATE accounts a SET debits_posted = a.debits_posted + s.debits_posted, credits_posted = a.credits_posted + s.credits_posted,
          debits_pending = a.debits_pending + s.debits_pending, credits_pending = a.credits_pending + s.credits_pending
        FROM jsonb_to_recordset(v_shifts) AS s(tenant_id text, id text, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint)
        WHERE a.tenant_id = s.tenant_id AND a.id = s.id;
    END IF;
  END IF;
`;

/**
 * v9's insert of the transfers and their balance history, and the same statement with each
 * history row of a shifted account moved by its shift, taken when the batch shifted one.
 */
function withShiftedHistory(text: string): string {
  const start = text.indexOf('    WITH inserted AS (');
  const end = text.indexOf('      ORDER BY x.ord;\n', start);
  if (start < 0 || end < 0) throw new Error('migration v10: v9 has no transfers and history statement');
  const plain = text.slice(start, end + '      ORDER BY x.ord;\n'.length);
  const shifted = [
    (statement: string) => replacedOnce(statement, '      SELECT x.tenant_id, x.account_id, t.sequence, v_at, x.debits_posted, x.credits_posted, x.debits_pending, x.credits_pending',
      `      SELECT x.tenant_id, x.account_id, t.sequence, v_at, x.debits_posted + coalesce(s.debits_posted, 0), x.credits_posted + coalesce(s.credits_posted, 0),
        x.debits_pending + coalesce(s.debits_pending, 0), x.credits_pending + coalesce(s.credits_pending, 0)`),
    (statement: string) => replacedOnce(statement, '      JOIN inserted t ON t.tenant_id = x.tenant_id AND t.id = x.transfer_id\n',
      `      JOIN inserted t ON t.tenant_id = x.tenant_id AND t.id = x.transfer_id
      LEFT JOIN jsonb_to_recordset(v_shifts) AS s(tenant_id text, id text, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint)
        ON s.tenant_id = x.tenant_id AND s.id = x.account_id
`),
  ].reduce((statement, change) => change(statement), plain);
  return replacedOnce(text, plain, `    IF v_shifts IS NULL THEN
${plain}    ELSE
${shifted}    END IF;
`);
}

const applyVersion10 = [
  (text: string) => replacedOnce(text, 'CREATE OR REPLACE FUNCTION contra_batch_apply(w jsonb) RETURNS void', 'CREATE FUNCTION contra_batch_apply_v10(w jsonb) RETURNS jsonb'),
  (text: string) => replacedOnce(text, '  v_stale bigint;\n', '  v_stale bigint;\n  v_shifted bigint := 0;\n  v_latest bigint;\n  v_shifts jsonb;\n  v_result jsonb;\n'),
  (text: string) => {
    const start = text.indexOf("  v_part := w->'accounts_changed';");
    const end = text.indexOf("  v_part := w->'transfers';");
    if (start < 0 || end <= start) throw new Error('migration v10: v9 has no accounts_changed part before its transfers');
    return replacedOnce(text, text.slice(start, end), accountsPart);
  },
  (text: string) => withShiftedHistory(text),
  (text: string) => replacedOnce(text, '\nEND $$;\n', '\n  RETURN v_result;\nEND $$;\n'),
].reduce((text, change) => change(text), batchApplyVersion9);

/** v7's one-statement commit of a batch decided on remembered rows, calling v10's write and returning the shifts. */
const commitVersion10 = [
  (text: string) => replacedOnce(text, 'CREATE FUNCTION contra_batch_commit(p_tenant_ids text, w jsonb) RETURNS void',
    'CREATE FUNCTION contra_batch_commit_v10(p_tenant_ids text, w jsonb) RETURNS jsonb'),
  (text: string) => replacedOnce(text, '  PERFORM contra_batch_apply(w);', '  RETURN contra_batch_apply_v10(w);'),
].reduce((text, change) => change(text), batchCommit);

export const schemaVersion10 = applyVersion10 + commitVersion10;
