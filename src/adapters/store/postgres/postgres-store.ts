// The PostgreSQL store (issue 4): the storage port over node-postgres, selected by
// DATABASE_URL. Writes go through group commit (batch-*.ts); reads are short read-only
// transactions declared for one tenant, so row-level security stands behind every query.
import type pg from 'pg';
import type { Clock } from '../../../app/ports/clock.ts';
import type { AuditFilter, Changeset, CommitResult, JournalTotals, LedgerEntry, Page, PageRequest, Store, StoredRecord } from '../../../app/ports/store.ts';
import { sealCheckpoint, type AuditCheckpoint, type AuditRecord, type AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { Account, AccountBalances } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { assertChangesetShape } from '../changeset-shape.ts';
import { checkpointValues, streamHeadFromRow } from '../rows/audit-codecs.ts';
import { auditCheckpointColumns } from '../rows/audit-codecs.ts';
import { textOf } from '../rows/row-values.ts';
import { migrateSchema } from './migrations.ts';
import { PgGroupCommitter } from './group-commit.ts';
import { inTransaction, openPool, rows, type Mode } from './pg.ts';
import * as reads from './reads.ts';

export type PostgresStoreOptions = {
  readonly connectionString: string;
  readonly clock: Clock;
  /** Connections in the pool; writes use one per batch in flight, reads the rest. */
  readonly poolSize?: number;
  /** Batches committed at once by this process; 1 keeps commits in arrival order. */
  readonly batchesInFlight?: number;
};

export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #clock: Clock;
  readonly #committer: PgGroupCommitter;
  #closed = false;

  constructor(pool: pg.Pool, clock: Clock, batchesInFlight: number) {
    this.#pool = pool;
    this.#clock = clock;
    this.#committer = new PgGroupCommitter(pool, clock, batchesInFlight);
  }

  #read<T>(tenantId: TenantId, work: (client: pg.PoolClient) => Promise<T>, mode: Mode = 'read'): Promise<T> {
    return inTransaction(this.#pool, [tenantId], mode, work);
  }

  /** How this process's batches were committed (see group-commit.ts): for tests and benchmarks. */
  batchCounts(): Readonly<{ remembered: number; read: number; stale: number; shifted: number }> {
    return { ...this.#committer.counts };
  }

  migrate(): Promise<void> {
    return migrateSchema(this.#pool, this.#clock.now());
  }

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
    return this.#read(tenantId, (client) => reads.getRecord(client, tenantId, kind, id));
  }

  listRecords(tenantId: TenantId, kind: string, page: PageRequest & { indexKey?: string }): Promise<Page<StoredRecord>> {
    return this.#read(tenantId, (client) => reads.listRecords(client, tenantId, kind, page));
  }

  getAccounts(tenantId: TenantId, ids: readonly AccountId[]): Promise<ReadonlyMap<AccountId, Account>> {
    return this.#read(tenantId, (client) => reads.getAccounts(client, tenantId, ids));
  }

  getBalancesAsOf(tenantId: TenantId, accountId: AccountId, at: number): Promise<AccountBalances | null> {
    return this.#read(tenantId, (client) => reads.getBalancesAsOf(client, tenantId, accountId, at));
  }

  getTransfer(tenantId: TenantId, id: TransferId): Promise<Transfer | null> {
    return this.#read(tenantId, (client) => reads.getTransfer(client, tenantId, id));
  }

  getPendingResolution(tenantId: TenantId, pendingId: TransferId): Promise<Transfer | null> {
    return this.#read(tenantId, (client) => reads.getPendingResolution(client, tenantId, pendingId));
  }

  listAccountTransfers(tenantId: TenantId, accountId: AccountId, page: PageRequest): Promise<Page<Transfer>> {
    return this.#read(tenantId, (client) => reads.listAccountTransfers(client, tenantId, accountId, page));
  }

  listTransactionTransfers(tenantId: TenantId, transactionId: string): Promise<readonly Transfer[]> {
    return this.#read(tenantId, (client) => reads.listTransactionTransfers(client, tenantId, transactionId));
  }

  listLedgerEntries(tenantId: TenantId, transactionId: string): Promise<readonly LedgerEntry[]> {
    return this.#read(tenantId, (client) => reads.listLedgerEntries(client, tenantId, transactionId));
  }

  journalTotals(tenantId: TenantId): Promise<JournalTotals> {
    return this.#read(tenantId, (client) => reads.journalTotals(client, tenantId));
  }

  listAudit(tenantId: TenantId, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    return this.#read(tenantId, (client) => reads.listAudit(client, tenantId, filter, page));
  }

  listAuditStream(tenantId: TenantId, stream: string, afterSequence: number, limit: number): Promise<readonly AuditRecord[]> {
    return this.#read(tenantId, (client) => reads.listAuditStream(client, tenantId, stream, afterSequence, limit));
  }

  /** One REPEATABLE READ transaction: checkpoint, records and heads from the same snapshot. */
  scanAudit(tenantId: TenantId, begin: (checkpoint: AuditCheckpoint | null) => (record: AuditRecord) => void): Promise<readonly AuditStreamHead[]> {
    return this.#read(tenantId, async (client) => {
      const visit = begin(await reads.latestCheckpoint(client, tenantId));
      await reads.scanAudit(client, tenantId, visit);
      return reads.auditHeads(client, tenantId);
    }, 'snapshot');
  }

  auditHeads(tenantId: TenantId): Promise<readonly AuditStreamHead[]> {
    return this.#read(tenantId, (client) => reads.auditHeads(client, tenantId));
  }

  /** Locks the tenant's heads, so no append slips between the heads read and the checkpoint written. */
  sealAuditCheckpoint(tenantId: TenantId, at: number): Promise<AuditCheckpoint> {
    return inTransaction(this.#pool, [tenantId], 'write', async (client) => {
      const heads = (await rows(client, 'SELECT stream, sequence, hash FROM audit_heads WHERE tenant_id = $1 ORDER BY stream FOR UPDATE', [tenantId])).map(streamHeadFromRow);
      const checkpoint = sealCheckpoint(tenantId, at, heads, await reads.latestCheckpoint(client, tenantId));
      const values = checkpointValues(checkpoint).map((value) => (typeof value === 'bigint' ? value.toString() : value));
      await client.query(`INSERT INTO audit_checkpoints (${auditCheckpointColumns}) VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8, $9)`, values);
      return checkpoint;
    });
  }

  latestAuditCheckpoint(tenantId: TenantId): Promise<AuditCheckpoint | null> {
    return this.#read(tenantId, (client) => reads.latestCheckpoint(client, tenantId));
  }

  listAuditCheckpoints(tenantId: TenantId, afterSequence: number, limit: number): Promise<readonly AuditCheckpoint[]> {
    return this.#read(tenantId, (client) => reads.listCheckpoints(client, tenantId, afterSequence, limit));
  }

  /** The tenant list carries no tenant data, so it sits outside row-level security. */
  async listTenantIds(): Promise<readonly TenantId[]> {
    const result = await this.#pool.query('SELECT tenant_id FROM tenants ORDER BY tenant_id');
    return result.rows.map((row: Record<string, unknown>) => textOf(row, 'tenant_id') as TenantId);
  }

  /** Commits whatever is queued, then closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#committer.drained();
    await this.#pool.end();
  }
}

export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const pool = openPool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
  return new PostgresStore(pool, options.clock, options.batchesInFlight ?? 1);
}
