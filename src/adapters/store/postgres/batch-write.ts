// Writes what a batch decided: every table's rows as one jsonb document, handed to
// contra_batch_apply (one multi-row statement per table, planned once per connection) in
// one round trip that also commits. Transfer sequences are handed out by
// PostgreSQL after the batch's account locks, so for any one account they grow in commit
// order; the balance history finds them by joining the transfers just inserted.
import type pg from 'pg';
import { auditRecordValues } from '../rows/audit-codecs.ts';
import { jsonbLiteral, key, nonEmpty, type BatchState } from './batch-state.ts';
import type { BalanceDelta } from '../../../domain/journal/transfers.ts';
import type { BatchWrites, LockedAccount } from './batch-decide.ts';
import type { Expected } from './batch-cache.ts';

type JsonRow = Readonly<Record<string, string | number | boolean | null>>;

const text = (value: bigint): string => value.toString();

/** Code-unit order, the order of the locked read's sorted keys. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function recordRows(writes: BatchWrites): { records_new: JsonRow[]; records_changed: JsonRow[] } {
  const created: JsonRow[] = [];
  const changed: JsonRow[] = [];
  // In key order, as the locked read takes them (see accountRows).
  for (const [, row] of [...writes.records.entries()].sort(([a], [b]) => byKey(a, b))) {
    const values = {
      tenant_id: row.tenantId, kind: row.write.kind, id: row.write.id, version: row.version,
      body: JSON.stringify(row.write.body), index_key: row.write.indexKey ?? null, at: row.at,
    };
    if (row.initialVersion === 0) created.push(values);
    else changed.push({ ...values, expected_version: row.initialVersion });
  }
  return { records_new: created, records_changed: changed };
}

function stateAccount(state: BatchState, accountKey: string): LockedAccount {
  const account = state.accounts.get(accountKey);
  if (account === undefined) throw new Error(`account ${accountKey} is not in the batch state`);
  return account;
}

/** An account's four balances as the decimal text the functions read. */
function balanceColumns(account: LockedAccount): Readonly<Record<string, string>> {
  return {
    debits_posted: text(account.debitsPosted), credits_posted: text(account.creditsPosted),
    debits_pending: text(account.debitsPending), credits_pending: text(account.creditsPending),
  };
}

function accountRow(state: BatchState, accountKey: string): JsonRow {
  const account = stateAccount(state, accountKey);
  return {
    tenant_id: account.tenantId, id: account.id, type: account.type, currency: account.currency, name: account.name,
    allow_negative: account.allowNegative, created_at: account.createdAt, ...balanceColumns(account),
  };
}

/** What an existing account's update needs: its key and new balances. */
function balancesRow(state: BatchState, accountKey: string): JsonRow {
  const account = stateAccount(state, accountKey);
  return { tenant_id: account.tenantId, id: account.id, ...balanceColumns(account) };
}

/** The balances a batch decided on remembered rows expects an account to hold (see schema-batch-v6.ts). */
function expectedBalances(account: LockedAccount): Readonly<Record<string, string>> {
  return { ...balanceColumns(account), last_committed_at: text(account.lastCommittedAt) };
}

/**
 * Accounts changed are sent in key order, the order the locked read takes them in, so a
 * batch that takes its locks by writing waits for other processes' batches in the same order.
 */
function accountRows(state: BatchState, writes: BatchWrites, expected: Expected | null): { accounts_new: JsonRow[]; accounts_changed: (JsonRow | Record<string, unknown>)[] } {
  return {
    accounts_new: [...writes.newAccounts].map((accountKey) => accountRow(state, accountKey)),
    accounts_changed: [...writes.touchedAccounts].filter((accountKey) => !writes.newAccounts.has(accountKey)).sort(byKey).map((accountKey) => {
      const before = expected?.accounts.get(accountKey);
      if (expected !== null && before === undefined) throw new Error(`account ${accountKey} was changed without being expected`);
      const row = balancesRow(state, accountKey);
      return before === undefined ? row : { ...row, expected: expectedBalances(before) };
    }),
  };
}

/** The row without its null fields: jsonb_to_recordset reads an absent field as null, and the server parses less. */
function withoutNulls(row: JsonRow): JsonRow {
  const present: Record<string, string | number | boolean> = {};
  for (const [field, value] of Object.entries(row)) if (value !== null) present[field] = value;
  return present;
}

function transferRows(writes: BatchWrites): { transfers: JsonRow[]; history: JsonRow[] } {
  const transfers = writes.transfers.map(({ tenantId, transfer }, ord) => withoutNulls({
    ord, tenant_id: tenantId, id: transfer.id, kind: transfer.kind, debit_account_id: transfer.debitAccountId, credit_account_id: transfer.creditAccountId,
    amount_minor: text(transfer.amountMinor), currency: transfer.currency, pending_id: transfer.pendingId ?? null,
    pending_amount_minor: transfer.pendingAmountMinor === undefined ? null : text(transfer.pendingAmountMinor),
    transaction_id: transfer.transactionId ?? null, code: transfer.code, corrects_transfer_id: transfer.correctsTransferId ?? null,
    description: transfer.description ?? null,
  }));
  const history = writes.history.map(({ tenantId, accountId, transferId, balances }, ord) => ({
    ord, tenant_id: tenantId, account_id: accountId, transfer_id: transferId,
    debits_posted: text(balances.debitsPosted), credits_posted: text(balances.creditsPosted),
    debits_pending: text(balances.debitsPending), credits_pending: text(balances.creditsPending),
  }));
  return { transfers, history };
}

function ledgerRows(writes: BatchWrites): JsonRow[] {
  return writes.ledgerEntries.map(({ tenantId, entry }) => ({
    tenant_id: tenantId, transaction_id: entry.transactionId, sequence: entry.sequence, status: entry.status, at: entry.at,
    transfer_ids: JSON.stringify(entry.transferIds), details: JSON.stringify(entry.details),
  }));
}

const auditFields = ['tenant_id', 'stream', 'sequence', 'id', 'at', 'action', 'initiator', 'transaction_id', 'refund_id',
  'reversal_id', 'amount', 'currency', 'status', 'reason', 'details', 'previous_hash', 'hash'] as const;

function auditRows(writes: BatchWrites): { audit: JsonRow[]; heads: JsonRow[] } {
  const audit = writes.audit.map((record) => {
    const values = auditRecordValues(record);
    return Object.fromEntries(auditFields.map((field, index) => {
      const value = values[index];
      return [field, typeof value === 'bigint' ? text(value) : value ?? null];
    }));
  });
  // Each head with the sequence the batch's first record of the stream chained onto.
  const heads = new Map<string, JsonRow>();
  for (const record of writes.audit) {
    const headKey = key(record.tenantId, record.stream);
    const previous = heads.get(headKey)?.['previous_sequence'] ?? record.sequence - 1;
    heads.set(headKey, { tenant_id: record.tenantId, stream: record.stream, sequence: record.sequence, hash: record.hash, previous_sequence: previous });
  }
  return { audit, heads: [...heads.entries()].sort(([a], [b]) => byKey(a, b)).map(([, head]) => head) };
}

/**
 * What a batch writes, as the document contra_batch_apply takes (schema-batch-v5.ts to
 * -v7.ts); empty parts are left out. `expected`: the accounts as they stood when a batch
 * was decided on remembered rows, which the write checks; null after a locked read.
 * `tenantKnown`: whether the tenant list already holds a tenant (then it is not sent).
 */
export function writeDocument(state: BatchState, writes: BatchWrites, committedAt: number, expected: Expected | null,
  tenantKnown: (tenantId: string) => boolean): Record<string, unknown> {
  return {
    committed_at: committedAt,
    ...nonEmpty({
      tenants: [...writes.tenants].filter((tenantId) => !tenantKnown(tenantId)),
      ...recordRows(writes),
      ...accountRows(state, writes, expected),
      ...transferRows(writes),
      ledger: ledgerRows(writes),
      ...auditRows(writes),
      outbox: writes.outbox.map(({ tenantId, message }) => ({ tenant_id: tenantId, id: message.id, topic: message.topic, at: message.at, payload: JSON.stringify(message.payload) })),
    }),
  };
}

/** The call that writes a batch inside a transaction already open (after a locked read). */
export function writeQuery(state: BatchState, writes: BatchWrites, committedAt: number, tenantKnown: (tenantId: string) => boolean): string {
  return `SELECT contra_batch_apply_v10(${jsonbLiteral(writeDocument(state, writes, committedAt, null, tenantKnown))})`;
}

/**
 * The one statement that writes and commits a batch decided on remembered rows
 * (contra_batch_commit_v10, schema-batch-v7.ts and schema-v10.ts): sent on its own,
 * outside BEGIN, it is its own transaction, and its document is a bound parameter, so the
 * server neither lexes it as SQL text nor plans the call again (a named statement is
 * prepared once per connection).
 */
export function commitStatement(tenantIds: string, document: Record<string, unknown>): pg.QueryConfig {
  return { name: 'contra_batch_commit_v10', text: 'SELECT contra_batch_commit_v10($1, $2) AS shifts', values: [tenantIds, JSON.stringify(document)] };
}

/** What another process had moved on an unlimited account the batch changed: the write shifted it by this (schema-v10.ts). */
export type Shift = { readonly accountKey: string; readonly delta: BalanceDelta };

/** What a v10 write reports when it shifted accounts: the shifts, and the committedAt it stamped (later than decided when it had to be). */
export type Shifted = { readonly committedAt: number; readonly shifts: readonly Shift[] };

const malformed = (): Error => new Error('contra_batch_commit_v10 returned a malformed result');

/** A shift as the write returns it: the account, and its four balance deltas as decimal strings (a JSON number past 2^53 would lose digits). */
function shiftFrom(item: unknown): Shift {
  if (typeof item !== 'object' || item === null) throw malformed();
  const { tenant_id: tenantId, id, ...deltas } = item as Record<string, unknown>;
  const delta = (name: string): bigint => {
    const value = deltas[name];
    if (typeof value !== 'string') throw malformed();
    return BigInt(value);
  };
  if (typeof tenantId !== 'string' || typeof id !== 'string') throw malformed();
  return {
    accountKey: key(tenantId, id),
    delta: { debitsPosted: delta('debits_posted'), creditsPosted: delta('credits_posted'), debitsPending: delta('debits_pending'), creditsPending: delta('credits_pending') },
  };
}

/** What a v10 write returned (its jsonb as text, the pool's JSON parser), or null when it shifted nothing. */
export function shiftedFrom(text: unknown): Shifted | null {
  if (text === null || text === undefined) return null;
  const value: unknown = typeof text === 'string' ? JSON.parse(text) : null;
  if (typeof value !== 'object' || value === null) throw malformed();
  const { committed_at: committedAt, shifts } = value as { committed_at?: unknown; shifts?: unknown };
  if (typeof committedAt !== 'number' || !Number.isSafeInteger(committedAt) || !Array.isArray(shifts)) throw malformed();
  return { committedAt, shifts: shifts.map(shiftFrom) };
}
