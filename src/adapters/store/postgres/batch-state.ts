// What a batch of changesets needs to know before deciding, read inside its transaction in
// one round trip (one call of contra_batch_read, migration v5):
// the records and accounts it writes (locked FOR UPDATE, in one global order — records,
// then accounts, then audit heads, each sorted — so that concurrent batches never
// deadlock), the transfers it names, which pending transfers are resolved, which ledger
// positions are taken, and the audit stream heads it extends.
import type { Changeset } from '../../../app/ports/store.ts';
import type { AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { Account } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import type { TenantId } from '../../../domain/ids.ts';
import { accountFromRow, transferFromRow } from '../rows/journal-codecs.ts';
import { bigintOf, numberOf, textOf } from '../rows/row-values.ts';
import type { Row } from '../rows/row.ts';

/** Keys join their parts with a separator no id contains. */
export function key(...parts: readonly (string | number)[]): string {
  return parts.join('\u0000');
}

export type BatchState = {
  /** Record key → stored version (absent: no such record). */
  readonly records: Map<string, number>;
  readonly accounts: Map<string, Account & { readonly lastCommittedAt: bigint }>;
  readonly transfers: Map<string, Transfer>;
  readonly resolved: Set<string>;
  readonly ledgerEntries: Set<string>;
  readonly heads: Map<string, AuditStreamHead>;
};

type Keys = {
  records: [string, string, string][];
  accounts: [string, string][];
  transfers: [string, string][];
  pendings: [string, string][];
  ledger: [string, string, number][];
  streams: [string, string][];
};

function unique<T extends readonly (string | number)[]>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(key(...item), item);
  return [...seen.values()].sort((a, b) => (key(...a) < key(...b) ? -1 : key(...a) > key(...b) ? 1 : 0));
}

function keysOf(changesets: readonly Changeset[]): Keys {
  const keys: Keys = { records: [], accounts: [], transfers: [], pendings: [], ledger: [], streams: [] };
  for (const { tenantId, records, accounts, transfers, ledgerEntries, audit } of changesets) {
    for (const record of records ?? []) keys.records.push([tenantId, record.kind, record.id]);
    for (const account of accounts ?? []) keys.accounts.push([tenantId, account.id]);
    for (const transfer of transfers ?? []) {
      keys.accounts.push([tenantId, transfer.debitAccountId], [tenantId, transfer.creditAccountId]);
      keys.transfers.push([tenantId, transfer.id]);
      if (transfer.pendingId !== undefined) keys.pendings.push([tenantId, transfer.pendingId]);
    }
    for (const entry of ledgerEntries ?? []) keys.ledger.push([tenantId, entry.transactionId, entry.sequence]);
    for (const append of audit ?? []) keys.streams.push([tenantId, append.stream]);
  }
  return {
    records: unique(keys.records), accounts: unique(keys.accounts), transfers: unique([...keys.transfers, ...keys.pendings]),
    pendings: unique(keys.pendings), ledger: unique(keys.ledger), streams: unique(keys.streams),
  };
}

/**
 * A JSON document as an SQL jsonb literal (parsed once by the server): safe for any text.
 * The same literal as pg.escapeLiteral (quotes and backslashes doubled, E'' when there is
 * a backslash), built by one replace instead of character by character: profiled as the
 * largest part of Node's work per batch.
 */
export function jsonbLiteral(value: unknown): string {
  const text = JSON.stringify(value);
  const quoted = `'${text.replace(/['\\]/g, (character) => character + character)}'`;
  return `${text.includes('\\') ? ` E${quoted}` : quoted}::jsonb`;
}

/** The non-empty parts of a batch document: the functions skip a part that is absent. */
export function nonEmpty(parts: Readonly<Record<string, readonly unknown[]>>): Record<string, readonly unknown[]> {
  return Object.fromEntries(Object.entries(parts).filter(([, items]) => items.length > 0));
}

/** Keys grouped by their leading parts (tenant, or tenant and kind), ids sorted: one lookup per group. */
function grouped(items: readonly (readonly (string | number)[])[], leading: readonly string[]): Record<string, unknown>[] {
  const groups = new Map<string, { head: (string | number)[]; ids: string[] }>();
  for (const item of items) {
    const head = item.slice(0, leading.length);
    const groupKey = key(...head);
    const group = groups.get(groupKey) ?? { head, ids: [] };
    group.ids.push(String(item[leading.length]));
    groups.set(groupKey, group);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => ({ ...Object.fromEntries(leading.map((name, index) => [name, group.head[index]])), ids: [...new Set(group.ids)].sort() }));
}

/** The call that locks and reads a batch's state (see contra_batch_read in schema-batch-v5.ts). */
export function stateQuery(changesets: readonly Changeset[]): string {
  const keys = keysOf(changesets);
  return `SELECT contra_batch_read(${jsonbLiteral(nonEmpty({
    records: grouped(keys.records, ['tenant_id', 'kind']),
    accounts: grouped(keys.accounts, ['tenant_id']),
    streams: grouped(keys.streams, ['tenant_id']),
    transfers: grouped(keys.transfers, ['tenant_id']),
    pendings: grouped(keys.pendings, ['tenant_id']),
    // Every entry of the transactions named; the positions taken are picked out in memory.
    ledger: grouped(keys.ledger.map(([tenantId, transactionId]) => [tenantId, transactionId]), ['tenant_id']),
  }))}) AS state`;
}

/** Columns the function sends as decimal text; the codecs want them as bigint. */
const integerColumns = new Set([
  'version', 'created_at', 'debits_posted', 'credits_posted', 'debits_pending', 'credits_pending', 'last_committed_at',
  'allow_negative', 'sequence', 'amount_minor', 'pending_amount_minor', 'committed_at',
]);

function rowsOf(value: unknown): Row[] {
  if (!Array.isArray(value)) throw new Error('contra_batch_read returned a malformed result');
  return value.map((item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).map(([name, cell]) =>
    [name, integerColumns.has(name) && typeof cell === 'string' ? BigInt(cell) : cell])));
}

/** Decodes what contra_batch_read returned (its JSON as text). */
export function batchStateFrom(text: string): BatchState {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const records = rowsOf(parsed['records']);
  const state: BatchState = {
    records: new Map(records.map((row) => [key(textOf(row, 'tenant_id'), textOf(row, 'kind'), textOf(row, 'id')), numberOf(row, 'version')])),
    accounts: new Map(),
    transfers: new Map(),
    resolved: new Set(rowsOf(parsed['resolved']).map((row) => key(textOf(row, 'tenant_id'), textOf(row, 'pending_id')))),
    ledgerEntries: new Set(rowsOf(parsed['ledger']).map((row) => key(textOf(row, 'tenant_id'), textOf(row, 'transaction_id'), numberOf(row, 'sequence')))),
    heads: new Map(rowsOf(parsed['heads']).map((row) => [key(textOf(row, 'tenant_id'), textOf(row, 'stream')), { stream: textOf(row, 'stream'), sequence: numberOf(row, 'sequence'), hash: textOf(row, 'hash') }])),
  };
  for (const row of rowsOf(parsed['accounts'])) {
    const account = accountFromRow(row);
    state.accounts.set(key(account.tenantId, account.id), { ...account, lastCommittedAt: bigintOf(row, 'last_committed_at') });
  }
  for (const row of rowsOf(parsed['transfers'])) {
    const transfer = transferFromRow(row);
    state.transfers.set(key(transfer.tenantId, transfer.id), transfer);
  }
  return state;
}

export function tenantsOf(changesets: readonly Changeset[]): TenantId[] {
  return [...new Set(changesets.map((changeset) => changeset.tenantId))];
}
