// Writes what a batch decided, a handful of multi-row statements whatever its size: each
// table's rows travel as one JSON array and are expanded by json_to_recordset. Transfer
// sequences are handed out by PostgreSQL after the batch's account locks, so for any one
// account they grow in commit order.
import type pg from 'pg';
import { invariant } from '../../../domain/invariant.ts';
import { auditRecordValues } from '../rows/audit-codecs.ts';
import { bigintOf, textOf } from '../rows/row-values.ts';
import { key, type BatchState } from './batch-state.ts';
import type { BatchWrites } from './batch-decide.ts';
import { rows } from './pg.ts';

type JsonRow = Readonly<Record<string, string | number | boolean | null>>;

function jsonArray(items: readonly JsonRow[]): string {
  return JSON.stringify(items);
}

const text = (value: bigint): string => value.toString();

async function writeRecords(client: pg.PoolClient, writes: BatchWrites): Promise<void> {
  const inserted: JsonRow[] = [];
  const updated: JsonRow[] = [];
  for (const row of writes.records.values()) {
    const values = {
      tenant_id: row.tenantId, kind: row.write.kind, id: row.write.id, version: row.version,
      body: JSON.stringify(row.write.body), index_key: row.write.indexKey ?? null, at: row.at,
    };
    if (row.initialVersion === 0) inserted.push(values);
    else updated.push({ ...values, expected_version: row.initialVersion });
  }
  if (inserted.length > 0) {
    await client.query(`INSERT INTO records (tenant_id, kind, id, version, body, index_key, created_at, updated_at)
      SELECT x.tenant_id, x.kind, x.id, x.version, x.body::json, x.index_key, x.at, x.at
      FROM json_to_recordset($1::json) AS x(tenant_id text, kind text, id text, version int, body text, index_key text, at bigint)`, [jsonArray(inserted)]);
  }
  if (updated.length > 0) {
    const result = await client.query(`UPDATE records AS r SET version = x.version, body = x.body::json, index_key = x.index_key, updated_at = x.at
      FROM json_to_recordset($1::json) AS x(tenant_id text, kind text, id text, version int, body text, index_key text, at bigint, expected_version int)
      WHERE r.tenant_id = x.tenant_id AND r.kind = x.kind AND r.id = x.id AND r.version = x.expected_version`, [jsonArray(updated)]);
    invariant(result.rowCount === updated.length, 'a locked record changed under its lock');
  }
}

function accountRow(state: BatchState, accountKey: string, committedAt: number): JsonRow {
  const account = state.accounts.get(accountKey);
  invariant(account !== undefined, 'a touched account is in the batch state');
  return {
    tenant_id: account.tenantId, id: account.id, type: account.type, currency: account.currency, name: account.name,
    allow_negative: account.allowNegative, created_at: account.createdAt,
    debits_posted: text(account.debitsPosted), credits_posted: text(account.creditsPosted),
    debits_pending: text(account.debitsPending), credits_pending: text(account.creditsPending), last_committed_at: committedAt,
  };
}

const accountRecordset = `json_to_recordset($1::json) AS x(tenant_id text, id text, type text, currency text, name text, allow_negative boolean,
  created_at bigint, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint, last_committed_at bigint)`;

async function writeAccounts(client: pg.PoolClient, state: BatchState, writes: BatchWrites, committedAt: number): Promise<void> {
  const created = [...writes.newAccounts].map((accountKey) => accountRow(state, accountKey, committedAt));
  const changed = [...writes.touchedAccounts].filter((accountKey) => !writes.newAccounts.has(accountKey)).map((accountKey) => accountRow(state, accountKey, committedAt));
  if (created.length > 0) {
    await client.query(`INSERT INTO accounts (tenant_id, id, type, currency, name, allow_negative, created_at,
        debits_posted, credits_posted, debits_pending, credits_pending, last_committed_at)
      SELECT x.tenant_id, x.id, x.type, x.currency, x.name, x.allow_negative, x.created_at,
        x.debits_posted, x.credits_posted, x.debits_pending, x.credits_pending, x.last_committed_at FROM ${accountRecordset}`, [jsonArray(created)]);
  }
  if (changed.length > 0) {
    await client.query(`UPDATE accounts AS a SET debits_posted = x.debits_posted, credits_posted = x.credits_posted,
        debits_pending = x.debits_pending, credits_pending = x.credits_pending, last_committed_at = x.last_committed_at
      FROM ${accountRecordset} WHERE a.tenant_id = x.tenant_id AND a.id = x.id`, [jsonArray(changed)]);
  }
}

/** Inserts the transfers in decision order and returns their sequences by transfer key. */
async function writeTransfers(client: pg.PoolClient, writes: BatchWrites, committedAt: number): Promise<Map<string, bigint>> {
  const sequences = new Map<string, bigint>();
  if (writes.transfers.length === 0) return sequences;
  const items = writes.transfers.map(({ tenantId, transfer }, ord) => ({
    ord, tenant_id: tenantId, id: transfer.id, kind: transfer.kind, debit_account_id: transfer.debitAccountId, credit_account_id: transfer.creditAccountId,
    amount_minor: text(transfer.amountMinor), currency: transfer.currency, pending_id: transfer.pendingId ?? null,
    pending_amount_minor: transfer.pendingAmountMinor === undefined ? null : text(transfer.pendingAmountMinor),
    transaction_id: transfer.transactionId ?? null, code: transfer.code, corrects_transfer_id: transfer.correctsTransferId ?? null,
    description: transfer.description ?? null,
  }));
  const inserted = await rows(client, `INSERT INTO transfers (tenant_id, id, kind, debit_account_id, credit_account_id, amount_minor, currency,
      pending_id, pending_amount_minor, transaction_id, code, corrects_transfer_id, description, committed_at)
    SELECT x.tenant_id, x.id, x.kind, x.debit_account_id, x.credit_account_id, x.amount_minor, x.currency,
      x.pending_id, x.pending_amount_minor, x.transaction_id, x.code, x.corrects_transfer_id, x.description, $2
    FROM json_to_recordset($1::json) AS x(ord int, tenant_id text, id text, kind text, debit_account_id text, credit_account_id text,
      amount_minor bigint, currency text, pending_id text, pending_amount_minor bigint, transaction_id text, code text,
      corrects_transfer_id text, description text)
    ORDER BY x.ord
    RETURNING tenant_id, id, sequence`, [jsonArray(items), committedAt]);
  for (const row of inserted) sequences.set(key(textOf(row, 'tenant_id'), textOf(row, 'id')), bigintOf(row, 'sequence'));
  return sequences;
}

async function writeHistory(client: pg.PoolClient, writes: BatchWrites, sequences: Map<string, bigint>, committedAt: number): Promise<void> {
  if (writes.history.length === 0) return;
  const items = writes.history.map(({ tenantId, accountId, transferKey, balances }) => {
    const sequence = sequences.get(transferKey);
    invariant(sequence !== undefined, 'every transfer of the history was inserted');
    return {
      tenant_id: tenantId, account_id: accountId, transfer_sequence: text(sequence),
      debits_posted: text(balances.debitsPosted), credits_posted: text(balances.creditsPosted),
      debits_pending: text(balances.debitsPending), credits_pending: text(balances.creditsPending),
    };
  });
  await client.query(`INSERT INTO account_balances (tenant_id, account_id, transfer_sequence, committed_at, debits_posted, credits_posted, debits_pending, credits_pending)
    SELECT x.tenant_id, x.account_id, x.transfer_sequence, $2, x.debits_posted, x.credits_posted, x.debits_pending, x.credits_pending
    FROM json_to_recordset($1::json) AS x(tenant_id text, account_id text, transfer_sequence bigint,
      debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint)`, [jsonArray(items), committedAt]);
}

async function writeLedgerEntries(client: pg.PoolClient, writes: BatchWrites, committedAt: number): Promise<void> {
  if (writes.ledgerEntries.length === 0) return;
  const items = writes.ledgerEntries.map(({ tenantId, entry }) => ({
    tenant_id: tenantId, transaction_id: entry.transactionId, sequence: entry.sequence, status: entry.status, at: entry.at,
    transfer_ids: JSON.stringify(entry.transferIds), details: JSON.stringify(entry.details),
  }));
  await client.query(`INSERT INTO ledger_entries (tenant_id, transaction_id, sequence, status, at, transfer_ids, details, committed_at)
    SELECT x.tenant_id, x.transaction_id, x.sequence, x.status, x.at, x.transfer_ids::json, x.details::json, $2
    FROM json_to_recordset($1::json) AS x(tenant_id text, transaction_id text, sequence int, status text, at bigint, transfer_ids text, details text)`,
  [jsonArray(items), committedAt]);
}

const auditFields = ['tenant_id', 'stream', 'sequence', 'id', 'at', 'action', 'initiator', 'transaction_id', 'refund_id',
  'reversal_id', 'amount', 'currency', 'status', 'reason', 'details', 'previous_hash', 'hash'] as const;

async function writeAudit(client: pg.PoolClient, writes: BatchWrites): Promise<void> {
  if (writes.audit.length === 0) return;
  const items = writes.audit.map((record) => {
    const values = auditRecordValues(record);
    return Object.fromEntries(auditFields.map((field, index) => {
      const value = values[index];
      return [field, typeof value === 'bigint' ? text(value) : value ?? null];
    }));
  });
  await client.query(`INSERT INTO audit_records (${auditFields.join(', ')})
    SELECT x.tenant_id, x.stream, x.sequence, x.id, x.at, x.action, x.initiator, x.transaction_id, x.refund_id, x.reversal_id,
      x.amount, x.currency, x.status, x.reason, x.details::json, x.previous_hash, x.hash
    FROM json_to_recordset($1::json) AS x(tenant_id text, stream text, sequence int, id text, at bigint, action text, initiator text,
      transaction_id text, refund_id text, reversal_id text, amount text, currency text, status text, reason text, details text,
      previous_hash text, hash text)`, [jsonArray(items)]);
  const heads = new Map<string, JsonRow>();
  for (const record of writes.audit) heads.set(key(record.tenantId, record.stream), { tenant_id: record.tenantId, stream: record.stream, sequence: record.sequence, hash: record.hash });
  await client.query(`INSERT INTO audit_heads (tenant_id, stream, sequence, hash)
    SELECT x.tenant_id, x.stream, x.sequence, x.hash FROM json_to_recordset($1::json) AS x(tenant_id text, stream text, sequence int, hash text)
    ON CONFLICT (tenant_id, stream) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash`, [jsonArray([...heads.values()])]);
}

async function writeOutbox(client: pg.PoolClient, writes: BatchWrites, committedAt: number): Promise<void> {
  if (writes.outbox.length === 0) return;
  const items = writes.outbox.map(({ tenantId, message }) => ({ tenant_id: tenantId, id: message.id, topic: message.topic, at: message.at, payload: JSON.stringify(message.payload) }));
  await client.query(`INSERT INTO outbox (tenant_id, id, topic, at, payload, committed_at)
    SELECT x.tenant_id, x.id, x.topic, x.at, x.payload::json, $2
    FROM json_to_recordset($1::json) AS x(tenant_id text, id text, topic text, at bigint, payload text)`, [jsonArray(items), committedAt]);
}

export async function writeBatch(client: pg.PoolClient, state: BatchState, writes: BatchWrites, committedAt: number): Promise<void> {
  if (writes.tenants.size > 0) {
    await client.query(`INSERT INTO tenants (tenant_id, first_committed_at) SELECT t, $2 FROM unnest($1::text[]) AS t
      ON CONFLICT (tenant_id) DO NOTHING`, [[...writes.tenants], committedAt]);
  }
  await writeRecords(client, writes);
  await writeAccounts(client, state, writes, committedAt);
  const sequences = await writeTransfers(client, writes, committedAt);
  await writeHistory(client, writes, sequences, committedAt);
  await writeLedgerEntries(client, writes, committedAt);
  await writeAudit(client, writes);
  await writeOutbox(client, writes, committedAt);
}
