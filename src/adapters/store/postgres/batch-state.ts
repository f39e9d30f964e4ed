// What a batch of changesets needs to know before deciding, read inside its transaction:
// the records and accounts it writes (locked FOR UPDATE, in one global order — records,
// then accounts, then audit heads, each sorted — so that concurrent batches never
// deadlock), the transfers it names, which pending transfers are resolved, which ledger
// positions are taken, and the audit stream heads it extends.
import type pg from 'pg';
import type { Changeset } from '../../../app/ports/store.ts';
import type { AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { Account } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import type { TenantId } from '../../../domain/ids.ts';
import { accountFromRow, transferFromRow } from '../rows/journal-codecs.ts';
import { bigintOf, numberOf, textOf } from '../rows/row-values.ts';
import { rows } from './pg.ts';
import { accountSelect, transferSelect } from './columns.ts';

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

function column(items: readonly (readonly (string | number)[])[], index: number): unknown[] {
  return items.map((item) => item[index]);
}

async function lockRecords(client: pg.PoolClient, keys: Keys['records']): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (keys.length === 0) return found;
  const locked = await rows(client, `SELECT r.tenant_id, r.kind, r.id, r.version FROM records r
    JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, kind, id) USING (tenant_id, kind, id)
    ORDER BY r.tenant_id, r.kind, r.id FOR UPDATE OF r`, [column(keys, 0), column(keys, 1), column(keys, 2)]);
  for (const row of locked) found.set(key(textOf(row, 'tenant_id'), textOf(row, 'kind'), textOf(row, 'id')), numberOf(row, 'version'));
  return found;
}

async function lockAccounts(client: pg.PoolClient, keys: Keys['accounts']): Promise<BatchState['accounts']> {
  const found: BatchState['accounts'] = new Map();
  if (keys.length === 0) return found;
  const locked = await rows(client, `SELECT ${accountSelect('a')}, a.last_committed_at FROM accounts a
    JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) USING (tenant_id, id)
    ORDER BY a.tenant_id, a.id FOR UPDATE OF a`, [column(keys, 0), column(keys, 1)]);
  for (const row of locked) {
    const account = accountFromRow(row);
    found.set(key(account.tenantId, account.id), { ...account, lastCommittedAt: bigintOf(row, 'last_committed_at') });
  }
  return found;
}

async function readTransfers(client: pg.PoolClient, keys: Keys['transfers']): Promise<Map<string, Transfer>> {
  const found = new Map<string, Transfer>();
  if (keys.length === 0) return found;
  const read = await rows(client, `SELECT ${transferSelect('t')} FROM transfers t
    JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) USING (tenant_id, id)`, [column(keys, 0), column(keys, 1)]);
  for (const row of read) {
    const transfer = transferFromRow(row);
    found.set(key(transfer.tenantId, transfer.id), transfer);
  }
  return found;
}

async function readResolved(client: pg.PoolClient, keys: Keys['pendings']): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const read = await rows(client, `SELECT t.tenant_id, t.pending_id FROM transfers t
    JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, pending_id) USING (tenant_id, pending_id)`, [column(keys, 0), column(keys, 1)]);
  return new Set(read.map((row) => key(textOf(row, 'tenant_id'), textOf(row, 'pending_id'))));
}

async function readLedgerEntries(client: pg.PoolClient, keys: Keys['ledger']): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const read = await rows(client, `SELECT e.tenant_id, e.transaction_id, e.sequence FROM ledger_entries e
    JOIN unnest($1::text[], $2::text[], $3::int[]) AS k(tenant_id, transaction_id, sequence) USING (tenant_id, transaction_id, sequence)`,
  [column(keys, 0), column(keys, 1), column(keys, 2)]);
  return new Set(read.map((row) => key(textOf(row, 'tenant_id'), textOf(row, 'transaction_id'), numberOf(row, 'sequence'))));
}

async function lockHeads(client: pg.PoolClient, keys: Keys['streams']): Promise<Map<string, AuditStreamHead>> {
  const found = new Map<string, AuditStreamHead>();
  if (keys.length === 0) return found;
  const locked = await rows(client, `SELECT h.tenant_id, h.stream, h.sequence, h.hash FROM audit_heads h
    JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, stream) USING (tenant_id, stream)
    ORDER BY h.tenant_id, h.stream FOR UPDATE OF h`, [column(keys, 0), column(keys, 1)]);
  for (const row of locked) {
    found.set(key(textOf(row, 'tenant_id'), textOf(row, 'stream')), { stream: textOf(row, 'stream'), sequence: numberOf(row, 'sequence'), hash: textOf(row, 'hash') });
  }
  return found;
}

/** Locks in the global order, then reads what needs no lock (transfers never change). */
export async function loadBatchState(client: pg.PoolClient, changesets: readonly Changeset[]): Promise<BatchState> {
  const keys = keysOf(changesets);
  const records = await lockRecords(client, keys.records);
  const accounts = await lockAccounts(client, keys.accounts);
  const heads = await lockHeads(client, keys.streams);
  const [transfers, resolved, ledgerEntries] = [await readTransfers(client, keys.transfers), await readResolved(client, keys.pendings), await readLedgerEntries(client, keys.ledger)];
  return { records, accounts, transfers, resolved, ledgerEntries, heads };
}

export function tenantsOf(changesets: readonly Changeset[]): TenantId[] {
  return [...new Set(changesets.map((changeset) => changeset.tenantId))];
}
