// The embedded store (DESIGN.md): the storage port over one SQLite file in WAL mode with
// synchronous=FULL, with group commit for throughput. Open it with `openSqliteStore`.
import type { Clock } from '../../../app/ports/clock.ts';
import type {
  AuditFilter,
  Changeset,
  CommitResult,
  JournalTotals,
  LedgerEntry,
  Page,
  PageRequest,
  Store,
  StoredRecord,
} from '../../../app/ports/store.ts';
import { pageSizeMax } from '../../../app/ports/store.ts';
import type { AuditCheckpoint, AuditRecord, AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { Account, AccountBalances } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { assertChangesetShape } from '../changeset-shape.ts';
import { openDatabase, settle, Sql } from './sql.ts';
import { migrateSchema } from './migrations.ts';
import { GroupCommitter } from './group-commit.ts';
import { recordColumns, recordFromRow } from '../rows/record-codecs.ts';
import { cursorPosition, pageSize, toPage } from '../rows/paging.ts';
import { textOf } from '../rows/row-values.ts';
import * as journal from './journal-reads.ts';
import * as audit from './audit-reads.ts';
import { latestCheckpoint, listCheckpoints, writeCheckpoint } from './audit-writes.ts';
import { dumpState } from './dump-state.ts';

export type SqliteStoreOptions = {
  /** The database file, created if missing; `':memory:'` for a throwaway store. */
  readonly path: string;
  /** Stamps `committedAt`; the store keeps it strictly increasing whatever the clock does. */
  readonly clock: Clock;
  /** How long a commit waits for another process's write lock; `busyTimeoutMs` unless said otherwise. */
  readonly busyTimeoutMs?: number;
};

export class SqliteStore implements Store {
  readonly #sql: Sql;
  readonly #clock: Clock;
  readonly #committer: GroupCommitter;
  #closed = false;

  constructor(sql: Sql, clock: Clock) {
    this.#sql = sql;
    this.#clock = clock;
    this.#committer = new GroupCommitter(sql, clock);
  }

  migrate(): Promise<void> {
    return settle(() => {
      migrateSchema(this.#sql.database, this.#clock.now());
    });
  }

  /**
   * Queues the changeset for the next group commit. A changeset over a size limit or of a
   * broken shape is a bug and is rejected at once, without touching the database.
   */
  commit(changeset: Changeset): Promise<CommitResult> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    try {
      assertChangesetShape(changeset);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.#committer.submit(changeset);
  }

  getRecord(tenantId: TenantId, kind: string, id: string): Promise<StoredRecord | null> {
    return settle(() => {
      const row = this.#sql.get(`SELECT ${recordColumns} FROM records WHERE tenant_id = ? AND kind = ? AND id = ?`, tenantId, kind, id);
      return row === undefined ? null : recordFromRow(row);
    });
  }

  /** In creation order; with an index key, only the records that carry it now. */
  listRecords(tenantId: TenantId, kind: string, page: PageRequest & { indexKey?: string }): Promise<Page<StoredRecord>> {
    return settle(() => {
      const size = pageSize(page);
      const after = cursorPosition(page);
      const rows = page.indexKey === undefined
        ? this.#sql.all(`SELECT ${recordColumns} FROM records WHERE tenant_id = ? AND kind = ? AND seq > ? ORDER BY seq LIMIT ?`,
          tenantId, kind, after, size + 1)
        : this.#sql.all(`SELECT ${recordColumns} FROM records WHERE tenant_id = ? AND kind = ? AND index_key = ? AND seq > ? ORDER BY seq LIMIT ?`,
          tenantId, kind, page.indexKey, after, size + 1);
      return toPage(rows, size, 'seq', recordFromRow);
    });
  }

  getAccounts(tenantId: TenantId, ids: readonly AccountId[]): Promise<ReadonlyMap<AccountId, Account>> {
    return settle(() => journal.getAccounts(this.#sql, tenantId, ids));
  }

  /** Null when no transfer touched the account at or before `at`. */
  getBalancesAsOf(tenantId: TenantId, accountId: AccountId, at: number): Promise<AccountBalances | null> {
    return settle(() => journal.getBalancesAsOf(this.#sql, tenantId, accountId, at));
  }

  getTransfer(tenantId: TenantId, id: TransferId): Promise<Transfer | null> {
    return settle(() => journal.getTransfer(this.#sql, tenantId, id));
  }

  getPendingResolution(tenantId: TenantId, pendingId: TransferId): Promise<Transfer | null> {
    return settle(() => journal.getPendingResolution(this.#sql, tenantId, pendingId));
  }

  /** Oldest first, by transfer sequence. */
  listAccountTransfers(tenantId: TenantId, accountId: AccountId, page: PageRequest): Promise<Page<Transfer>> {
    return settle(() => journal.listAccountTransfers(this.#sql, tenantId, accountId, page));
  }

  listTransactionTransfers(tenantId: TenantId, transactionId: string): Promise<readonly Transfer[]> {
    return settle(() => journal.listTransactionTransfers(this.#sql, tenantId, transactionId));
  }

  listLedgerEntries(tenantId: TenantId, transactionId: string): Promise<readonly LedgerEntry[]> {
    return settle(() => journal.listLedgerEntries(this.#sql, tenantId, transactionId));
  }

  journalTotals(tenantId: TenantId): Promise<JournalTotals> {
    return settle(() => journal.journalTotals(this.#sql, tenantId));
  }

  listAudit(tenantId: TenantId, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    return settle(() => audit.listAudit(this.#sql, tenantId, filter, page));
  }

  listAuditStream(tenantId: TenantId, stream: string, afterSequence: number, limit: number): Promise<readonly AuditRecord[]> {
    return settle(() => audit.listAuditStream(this.#sql, tenantId, stream, afterSequence, limit));
  }

  scanAudit(tenantId: TenantId, begin: (checkpoint: AuditCheckpoint | null) => (record: AuditRecord) => void): Promise<readonly AuditStreamHead[]> {
    // One read transaction: in WAL mode every read in it sees the same snapshot, even
    // while other connections or processes commit.
    return settle(() => this.#sql.database.transaction(() => {
      const visit = begin(latestCheckpoint(this.#sql, tenantId));
      audit.scanAudit(this.#sql, tenantId, visit);
      return audit.auditHeads(this.#sql, tenantId);
    }).deferred());
  }

  auditHeads(tenantId: TenantId): Promise<readonly AuditStreamHead[]> {
    return settle(() => audit.auditHeads(this.#sql, tenantId));
  }

  sealAuditCheckpoint(tenantId: TenantId, at: number): Promise<AuditCheckpoint> {
    return settle(() => this.#sql.database.transaction(() => writeCheckpoint(this.#sql, tenantId, at)).immediate());
  }

  latestAuditCheckpoint(tenantId: TenantId): Promise<AuditCheckpoint | null> {
    return settle(() => latestCheckpoint(this.#sql, tenantId));
  }

  listAuditCheckpoints(tenantId: TenantId, afterSequence: number, limit: number): Promise<readonly AuditCheckpoint[]> {
    return settle(() => listCheckpoints(this.#sql, tenantId, afterSequence, Math.min(limit, pageSizeMax)));
  }

  listTenantIds(): Promise<readonly TenantId[]> {
    return settle(() => this.#sql.all('SELECT tenant_id FROM tenants ORDER BY tenant_id').map((row) => textOf(row, 'tenant_id') as TenantId));
  }

  /** Every table's rows as deterministic text, for tests; not part of the port. */
  dumpState(): Promise<string> {
    return settle(() => dumpState(this.#sql));
  }

  /** Commits whatever is still queued, then closes the file. */
  close(): Promise<void> {
    return settle(() => {
      if (this.#closed) return;
      this.#closed = true;
      this.#committer.drain();
      this.#sql.database.close();
    });
  }
}

export function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return settle(() => new SqliteStore(new Sql(openDatabase(options.path, options.busyTimeoutMs)), options.clock));
}
