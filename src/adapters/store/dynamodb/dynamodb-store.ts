// The distributed store (DESIGN.md): the storage port over two DynamoDB tables,
// PaymentLedger and PaymentAuditTrail, with AWS SDK v3. A changeset commits with ONE
// TransactWriteItems; docs/operating/dynamodb.md describes keys, GSIs and hot accounts.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../../app/ports/clock.ts';
import type {
  AuditFilter, Changeset, CommitResult, JournalTotals, LedgerEntry, Page, PageRequest, Store, StoredRecord,
} from '../../../app/ports/store.ts';
import type { AuditCheckpoint, AuditRecord, AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import type { Account, AccountBalances } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import { assertChangesetShape } from '../changeset-shape.ts';
import * as audit from './audit-reads.ts';
import { DynamoCommitter } from './committer.ts';
import * as journal from './journal-reads.ts';
import { createTables, type TableNames } from './tables.ts';
import { balanceShardsCount, balanceShardsMax } from './keys.ts';
import { invariant } from '../../../domain/invariant.ts';

export type DynamoDbStoreOptions = {
  readonly client: DynamoDBClient;
  readonly tables: TableNames;
  /** Stamps `committedAt`; strictly increasing within this process whatever the clock does. */
  readonly clock: Clock;
  /** Whether `close` also destroys the client (false when the caller shares it). */
  readonly ownsClient?: boolean;
  /** Balance items per allow-negative account; `balanceShardsCount` unless said otherwise (1 = no sharding). */
  readonly balanceShards?: number;
};

export class DynamoDbStore implements Store {
  readonly #reader: journal.Reader;
  readonly #committer: DynamoCommitter;
  readonly #ownsClient: boolean;
  #closed = false;

  constructor(options: DynamoDbStoreOptions) {
    this.#reader = { client: options.client, tables: options.tables };
    const shards = options.balanceShards ?? balanceShardsCount;
    invariant(Number.isSafeInteger(shards) && shards >= 1 && shards <= balanceShardsMax, `balance shards must be 1 to ${balanceShardsMax}`);
    this.#committer = new DynamoCommitter(options.client, options.tables, options.clock, shards);
    this.#ownsClient = options.ownsClient ?? true;
  }

  /** Commits sent again after a lost race, since the store opened. */
  get racesLost(): number {
    return this.#committer.racesLost;
  }

  /** Creates both tables and their GSIs when missing, and waits until they are active. */
  migrate(): Promise<void> {
    return createTables(this.#reader.client, this.#reader.tables);
  }

  /** A changeset over a port limit, of a broken shape or over 100 items is a bug: rejected unwritten. */
  async commit(changeset: Changeset): Promise<CommitResult> {
    if (this.#closed) throw new Error('the store is closed');
    assertChangesetShape(changeset);
    return this.#committer.commit(changeset);
  }

  getRecord(tenantId: TenantId, kind: string, id: string): Promise<StoredRecord | null> {
    return journal.getRecord(this.#reader, tenantId, kind, id);
  }

  listRecords(tenantId: TenantId, kind: string, page: PageRequest & { indexKey?: string }): Promise<Page<StoredRecord>> {
    return journal.listRecords(this.#reader, tenantId, kind, page);
  }

  getAccounts(tenantId: TenantId, ids: readonly AccountId[]): Promise<ReadonlyMap<AccountId, Account>> {
    return journal.getAccounts(this.#reader, tenantId, ids);
  }

  getBalancesAsOf(tenantId: TenantId, accountId: AccountId, at: number): Promise<AccountBalances | null> {
    return journal.getBalancesAsOf(this.#reader, tenantId, accountId, at);
  }

  getTransfer(tenantId: TenantId, id: TransferId): Promise<Transfer | null> {
    return journal.getTransfer(this.#reader, tenantId, id);
  }

  getPendingResolution(tenantId: TenantId, pendingId: TransferId): Promise<Transfer | null> {
    return journal.getPendingResolution(this.#reader, tenantId, pendingId);
  }

  listAccountTransfers(tenantId: TenantId, accountId: AccountId, page: PageRequest): Promise<Page<Transfer>> {
    return journal.listAccountTransfers(this.#reader, tenantId, accountId, page);
  }

  listTransactionTransfers(tenantId: TenantId, transactionId: string): Promise<readonly Transfer[]> {
    return journal.listTransactionTransfers(this.#reader, tenantId, transactionId);
  }

  listLedgerEntries(tenantId: TenantId, transactionId: string): Promise<readonly LedgerEntry[]> {
    return journal.listLedgerEntries(this.#reader, tenantId, transactionId);
  }

  journalTotals(tenantId: TenantId): Promise<JournalTotals> {
    return journal.journalTotals(this.#reader, tenantId);
  }

  listAudit(tenantId: TenantId, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    return audit.listAudit(this.#reader, tenantId, filter, page);
  }

  listAuditStream(tenantId: TenantId, stream: string, afterSequence: number, limit: number): Promise<readonly AuditRecord[]> {
    return audit.listAuditStream(this.#reader, tenantId, stream, afterSequence, limit);
  }

  scanAudit(tenantId: TenantId, begin: (checkpoint: AuditCheckpoint | null) => (record: AuditRecord) => void): Promise<readonly AuditStreamHead[]> {
    return audit.scanAudit(this.#reader, tenantId, begin);
  }

  auditHeads(tenantId: TenantId): Promise<readonly AuditStreamHead[]> {
    return audit.auditHeads(this.#reader, tenantId);
  }

  sealAuditCheckpoint(tenantId: TenantId, at: number): Promise<AuditCheckpoint> {
    return audit.sealAuditCheckpoint(this.#reader, tenantId, at);
  }

  latestAuditCheckpoint(tenantId: TenantId): Promise<AuditCheckpoint | null> {
    return audit.latestCheckpoint(this.#reader, tenantId);
  }

  listAuditCheckpoints(tenantId: TenantId, afterSequence: number, limit: number): Promise<readonly AuditCheckpoint[]> {
    return audit.listCheckpoints(this.#reader, tenantId, afterSequence, limit);
  }

  listTenantIds(): Promise<readonly TenantId[]> {
    return journal.listTenantIds(this.#reader);
  }

  close(): Promise<void> {
    if (!this.#closed && this.#ownsClient) this.#reader.client.destroy();
    this.#closed = true;
    return Promise.resolve();
  }
}

export function openDynamoDbStore(options: DynamoDbStoreOptions): DynamoDbStore {
  return new DynamoDbStore(options);
}
