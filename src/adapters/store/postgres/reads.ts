// Reads of the PostgreSQL store, each a short read-only transaction declared for one
// tenant (row-level security): records, the journal, the PaymentLedger and the audit trail,
// decoded by the same row codecs as the SQLite store.
import type pg from 'pg';
import { pageSizeMax, type AuditFilter, type JournalTotals, type LedgerEntry, type Page, type PageRequest, type StoredRecord } from '../../../app/ports/store.ts';
import { compareStreams, type AuditCheckpoint, type AuditRecord, type AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { Account, AccountBalances } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { auditCheckpointColumns, auditRecordColumns, auditRecordFromRow, checkpointFromRow, streamHeadFromRow } from '../rows/audit-codecs.ts';
import { accountFromRow, balanceColumns, balancesFromRow, journalTotalsOf, ledgerEntryColumns, ledgerEntryFromRow, transferFromRow } from '../rows/journal-codecs.ts';
import { recordColumns, recordFromRow } from '../rows/record-codecs.ts';
import { cursorPosition, pageSize, toPage } from '../rows/paging.ts';
import { accountSelect, transferSelect } from './columns.ts';
import { rows } from './pg.ts';
import type { Row } from '../rows/row.ts';
import { textOf } from '../rows/row-values.ts';

type Client = pg.PoolClient;

export async function getRecord(client: Client, tenantId: TenantId, kind: string, id: string): Promise<StoredRecord | null> {
  const [row] = await rows(client, `SELECT ${recordColumns} FROM records WHERE tenant_id = $1 AND kind = $2 AND id = $3`, [tenantId, kind, id]);
  return row === undefined ? null : recordFromRow(row);
}

export async function listRecords(client: Client, tenantId: TenantId, kind: string, page: PageRequest & { indexKey?: string }): Promise<Page<StoredRecord>> {
  const size = pageSize(page);
  const after = cursorPosition(page).toString();
  const found = page.indexKey === undefined
    ? await rows(client, `SELECT ${recordColumns} FROM records WHERE tenant_id = $1 AND kind = $2 AND seq > $3 ORDER BY seq LIMIT $4`, [tenantId, kind, after, size + 1])
    : await rows(client, `SELECT ${recordColumns} FROM records WHERE tenant_id = $1 AND kind = $2 AND index_key = $3 AND seq > $4 ORDER BY seq LIMIT $5`,
      [tenantId, kind, page.indexKey, after, size + 1]);
  return toPage(found, size, 'seq', recordFromRow);
}

export async function getAccounts(client: Client, tenantId: TenantId, ids: readonly AccountId[]): Promise<ReadonlyMap<AccountId, Account>> {
  const found = new Map<AccountId, Account>();
  if (ids.length === 0) return found;
  for (const row of await rows(client, `SELECT ${accountSelect('a')} FROM accounts a WHERE a.tenant_id = $1 AND a.id = ANY($2::text[])`, [tenantId, ids])) {
    const account = accountFromRow(row);
    found.set(account.id, account);
  }
  return found;
}

export async function getBalancesAsOf(client: Client, tenantId: TenantId, accountId: AccountId, at: number): Promise<AccountBalances | null> {
  const [row] = await rows(client, `SELECT ${balanceColumns} FROM account_balances
    WHERE tenant_id = $1 AND account_id = $2 AND committed_at <= $3
    ORDER BY committed_at DESC, transfer_sequence DESC LIMIT 1`, [tenantId, accountId, at]);
  return row === undefined ? null : balancesFromRow(row);
}

export async function getTransfer(client: Client, tenantId: TenantId, id: TransferId): Promise<Transfer | null> {
  const [row] = await rows(client, `SELECT ${transferSelect('t')} FROM transfers t WHERE t.tenant_id = $1 AND t.id = $2`, [tenantId, id]);
  return row === undefined ? null : transferFromRow(row);
}

export async function getPendingResolution(client: Client, tenantId: TenantId, pendingId: TransferId): Promise<Transfer | null> {
  const [row] = await rows(client, `SELECT ${transferSelect('t')} FROM transfers t WHERE t.tenant_id = $1 AND t.pending_id = $2`, [tenantId, pendingId]);
  return row === undefined ? null : transferFromRow(row);
}

/**
 * In the balance history's key order (migration v8): for one account, (committed_at,
 * sequence) orders its transfers as their sequence does. The page starts after the
 * cursor's transfer, found by its sequence; the cursor's committed_at is one value (an
 * aggregate, never a COALESCE around the subquery), so that the row comparison is an
 * index condition rather than a filter over the account's earlier rows.
 */
export async function listAccountTransfers(client: Client, tenantId: TenantId, accountId: AccountId, page: PageRequest): Promise<Page<Transfer>> {
  const size = pageSize(page);
  const found = await rows(client, `SELECT ${transferSelect('t')}
    FROM account_balances AS h JOIN transfers AS t ON t.sequence = h.transfer_sequence
    WHERE h.tenant_id = $1 AND h.account_id = $2
      AND (h.committed_at, h.transfer_sequence) > ((SELECT coalesce(max(c.committed_at), -1) FROM transfers c WHERE c.sequence = $3), $3)
    ORDER BY h.committed_at, h.transfer_sequence LIMIT $4`, [tenantId, accountId, cursorPosition(page).toString(), size + 1]);
  return toPage(found, size, 'sequence', transferFromRow);
}

export async function listTransactionTransfers(client: Client, tenantId: TenantId, transactionId: string): Promise<Transfer[]> {
  return (await rows(client, `SELECT ${transferSelect('t')} FROM transfers t WHERE t.tenant_id = $1 AND t.transaction_id = $2 ORDER BY t.sequence`, [tenantId, transactionId]))
    .map(transferFromRow);
}

export async function listLedgerEntries(client: Client, tenantId: TenantId, transactionId: string): Promise<LedgerEntry[]> {
  return (await rows(client, `SELECT ${ledgerEntryColumns} FROM ledger_entries WHERE tenant_id = $1 AND transaction_id = $2 ORDER BY sequence`, [tenantId, transactionId]))
    .map(ledgerEntryFromRow);
}

/** Summed in bigint on our side, as the SQLite store does. */
export async function journalTotals(client: Client, tenantId: TenantId): Promise<JournalTotals> {
  return journalTotalsOf(await rows(client, `SELECT currency, ${balanceColumns} FROM accounts WHERE tenant_id = $1 ORDER BY currency`, [tenantId]));
}

export async function listAudit(client: Client, tenantId: TenantId, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
  const size = pageSize(page);
  const values: unknown[] = [tenantId, cursorPosition(page).toString()];
  const where = ['tenant_id = $1', 'seq > $2'];
  const add = (column: string, operator: string, value: unknown): void => {
    values.push(value);
    where.push(`${column} ${operator} $${values.length}`);
  };
  if (filter.transactionId !== undefined) add('transaction_id', '=', filter.transactionId);
  if (filter.initiator !== undefined) add('initiator', '=', filter.initiator);
  if (filter.action !== undefined) add('action', '=', filter.action);
  if (filter.fromAt !== undefined) add('at', '>=', filter.fromAt);
  if (filter.toAt !== undefined) add('at', '<=', filter.toAt);
  values.push(size + 1);
  const found = await rows(client, `SELECT seq, ${auditRecordColumns} FROM audit_records WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${values.length}`, values);
  return toPage(found, size, 'seq', auditRecordFromRow);
}

/** One stream's records after a sequence, in sequence order (the unique key serves it). */
export async function listAuditStream(client: Client, tenantId: TenantId, stream: string, afterSequence: number, limit: number): Promise<AuditRecord[]> {
  return (await rows(client, `SELECT ${auditRecordColumns} FROM audit_records WHERE tenant_id = $1 AND stream = $2 AND sequence > $3 ORDER BY sequence LIMIT $4`,
    [tenantId, stream, afterSequence, Math.min(limit, pageSizeMax)])).map(auditRecordFromRow);
}

const scanPageSize = 1_000;

/**
 * Stream (byte order of the name) then commit order (`seq`), in pages from one snapshot.
 * Commit order is sequence order unless the records were reordered: search lists by
 * `seq`, so the verifier must see that order to catch it (index of migration v12).
 */
export async function scanAudit(client: Client, tenantId: TenantId, visit: (record: AuditRecord) => void): Promise<void> {
  let after: { stream: string; seq: string } | null = null;
  for (;;) {
    const found: Row[] = after === null
      ? await rows(client, `SELECT seq, ${auditRecordColumns} FROM audit_records WHERE tenant_id = $1 ORDER BY stream COLLATE "C", seq LIMIT $2`, [tenantId, scanPageSize])
      : await rows(client, `SELECT seq, ${auditRecordColumns} FROM audit_records WHERE tenant_id = $1 AND (stream COLLATE "C", seq) > ($2 COLLATE "C", $3)
          ORDER BY stream COLLATE "C", seq LIMIT $4`, [tenantId, after.stream, after.seq, scanPageSize]);
    for (const row of found) visit(auditRecordFromRow(row));
    const last = found[found.length - 1];
    if (last === undefined || found.length < scanPageSize) return;
    after = { stream: textOf(last, 'stream'), seq: String(last['seq']) };
  }
}

export async function auditHeads(client: Client, tenantId: TenantId): Promise<AuditStreamHead[]> {
  return (await rows(client, 'SELECT stream, sequence, hash FROM audit_heads WHERE tenant_id = $1', [tenantId]))
    .map(streamHeadFromRow)
    .sort((a, b) => compareStreams(a.stream, b.stream));
}

export async function latestCheckpoint(client: Client, tenantId: TenantId): Promise<AuditCheckpoint | null> {
  const [row] = await rows(client, `SELECT ${auditCheckpointColumns} FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY sequence DESC LIMIT 1`, [tenantId]);
  return row === undefined ? null : checkpointFromRow(row);
}

/** Oldest first, after a sequence. */
export async function listCheckpoints(client: Client, tenantId: TenantId, afterSequence: number, limit: number): Promise<AuditCheckpoint[]> {
  return (await rows(client, `SELECT ${auditCheckpointColumns} FROM audit_checkpoints WHERE tenant_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
    [tenantId, afterSequence, Math.min(limit, pageSizeMax)])).map(checkpointFromRow);
}
