// The storage port (DESIGN.md "decide, then commit a changeset"). A use case reads what it
// needs, asks the domain to decide, then commits one changeset; the store checks every
// expected version, uniqueness and balance limit in the same atomic step and reports a
// conflict as a value. Every adapter (SQLite, PostgreSQL, DynamoDB) passes the same
// conformance suite in `src/adapters/store/conformance.ts`, which defines this port.
import type { Account, AccountDefinition, AccountBalances } from '../../domain/journal/accounts.ts';
import type { Transfer, TransferWrite } from '../../domain/journal/transfers.ts';
import type { AuditAppend, AuditCheckpoint, AuditRecord, AuditStreamHead } from '../../domain/audit/audit-record.ts';
import type { AccountId, TenantId, TransferId } from '../../domain/ids.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The largest changeset any store accepts: DynamoDB's TransactWriteItems takes 100 items. */
export const changesetTransfersMax = 32;
export const changesetRecordsMax = 16;
export const changesetAuditMax = 16;
export const changesetOutboxMax = 8;
/** The longest page any list returns. */
export const pageSizeMax = 200;

/**
 * A versioned record of some kind (payment, tenant, api_key, idempotency, …). The body is
 * plain JSON; money inside it is a decimal string or a bigint serialized as a string.
 */
export type StoredRecord = {
  readonly tenantId: TenantId;
  readonly kind: string;
  readonly id: string;
  readonly version: number;
  readonly body: JsonObject;
  /** Secondary key for listing (refunds of one payment: `payment:<id>`). */
  readonly indexKey: string | null;
  /** The `at` of the changesets that created and last wrote the record. */
  readonly createdAt: number;
  readonly updatedAt: number;
};

export type RecordWrite = {
  readonly kind: string;
  readonly id: string;
  readonly body: JsonObject;
  /** 0: the record must not exist yet. n: the stored version must be n; it becomes n + 1. */
  readonly expectedVersion: number;
  /** A write replaces the whole record: without an index key, the record leaves the index. */
  readonly indexKey?: string;
};

/** One appended PaymentLedger entry: a status change of a transaction (P2). */
export type LedgerEntryWrite = {
  readonly transactionId: string;
  /** Position in the transaction's history, from 1; a taken position is a conflict. */
  readonly sequence: number;
  readonly status: string;
  readonly at: number;
  readonly transferIds: readonly TransferId[];
  readonly details: JsonObject;
};
export type LedgerEntry = LedgerEntryWrite & { readonly tenantId: TenantId };

export type OutboxMessage = {
  readonly id: string;
  readonly topic: string;
  readonly at: number;
  readonly payload: JsonObject;
};

export type Changeset = {
  readonly tenantId: TenantId;
  /** When the decision was made (the use case's clock). */
  readonly at: number;
  readonly accounts?: readonly AccountDefinition[];
  readonly transfers?: readonly TransferWrite[];
  readonly records?: readonly RecordWrite[];
  readonly ledgerEntries?: readonly LedgerEntryWrite[];
  readonly audit?: readonly AuditAppend[];
  readonly outbox?: readonly OutboxMessage[];
};

export type Conflict =
  | { readonly kind: 'version'; readonly recordKind: string; readonly id: string }
  | { readonly kind: 'account_exists'; readonly accountId: AccountId }
  | { readonly kind: 'account_missing'; readonly accountId: AccountId }
  | { readonly kind: 'currency_mismatch'; readonly accountId: AccountId }
  | { readonly kind: 'transfer_exists'; readonly transferId: TransferId }
  | { readonly kind: 'pending_missing'; readonly transferId: TransferId }
  | { readonly kind: 'pending_resolved'; readonly transferId: TransferId }
  | { readonly kind: 'pending_mismatch'; readonly transferId: TransferId }
  | { readonly kind: 'balance_limit'; readonly accountId: AccountId }
  | { readonly kind: 'ledger_entry_exists'; readonly transactionId: string; readonly sequence: number };

export type CommitResult =
  | { readonly ok: true; readonly committedAt: number }
  | { readonly ok: false; readonly conflict: Conflict };

/** A page cursor that this store did not hand out. Adapters throw it; interfaces answer 400. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export type Page<T> = { readonly items: readonly T[]; readonly nextCursor: string | null };
export type PageRequest = { readonly limit: number; readonly cursor?: string };

export type AuditFilter = {
  readonly transactionId?: string;
  readonly initiator?: string;
  readonly action?: string;
  readonly fromAt?: number;
  readonly toAt?: number;
};

/**
 * Per currency, the sums over every transfer of a tenant; debits must equal credits.
 * `debits` holds the debit sides (debitsPosted, debitsPending), `credits` the credit sides;
 * their other fields are zero.
 */
export type JournalTotals = ReadonlyMap<string, { debits: AccountBalances; credits: AccountBalances }>;

export interface Store {
  /** Creates or upgrades the schema; safe to run on every start and concurrently. */
  migrate(): Promise<void>;
  commit(changeset: Changeset): Promise<CommitResult>;

  getRecord(tenantId: TenantId, kind: string, id: string): Promise<StoredRecord | null>;
  listRecords(tenantId: TenantId, kind: string, page: PageRequest & { indexKey?: string }): Promise<Page<StoredRecord>>;

  getAccounts(tenantId: TenantId, ids: readonly AccountId[]): Promise<ReadonlyMap<AccountId, Account>>;
  /**
   * Balances as they were just after the last transfer committed at or before `at`; null
   * when no transfer touched the account by then (or the account does not exist).
   */
  getBalancesAsOf(tenantId: TenantId, accountId: AccountId, at: number): Promise<AccountBalances | null>;
  getTransfer(tenantId: TenantId, id: TransferId): Promise<Transfer | null>;
  /** The post or void that resolved a pending transfer, if any. */
  getPendingResolution(tenantId: TenantId, pendingId: TransferId): Promise<Transfer | null>;
  /** Oldest first, by sequence. */
  listAccountTransfers(tenantId: TenantId, accountId: AccountId, page: PageRequest): Promise<Page<Transfer>>;
  listTransactionTransfers(tenantId: TenantId, transactionId: string): Promise<readonly Transfer[]>;
  listLedgerEntries(tenantId: TenantId, transactionId: string): Promise<readonly LedgerEntry[]>;
  journalTotals(tenantId: TenantId): Promise<JournalTotals>;

  /** Oldest first, in commit order; `fromAt` and `toAt` both included. */
  listAudit(tenantId: TenantId, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>>;
  /**
   * A tenant's whole audit trail from ONE consistent snapshot, for verification: first the
   * latest checkpoint (given to `begin`, which returns the visitor), then every record in
   * stream order then sequence order, and last the stream heads, which are returned.
   * Reading the three at different moments would report concurrent appends as tampering.
   */
  scanAudit(
    tenantId: TenantId,
    begin: (checkpoint: AuditCheckpoint | null) => (record: AuditRecord) => void,
  ): Promise<readonly AuditStreamHead[]>;
  auditHeads(tenantId: TenantId): Promise<readonly AuditStreamHead[]>;
  /**
   * Up to `limit` records of one stream with a sequence above `afterSequence`, in sequence
   * order (the ordered audit relay reads each stream from its published cursor).
   */
  listAuditStream(tenantId: TenantId, stream: string, afterSequence: number, limit: number): Promise<readonly AuditRecord[]>;
  /** Seals every stream head of the tenant into a new checkpoint, atomically. */
  sealAuditCheckpoint(tenantId: TenantId, at: number): Promise<AuditCheckpoint>;
  latestAuditCheckpoint(tenantId: TenantId): Promise<AuditCheckpoint | null>;
  /** Up to `limit` checkpoints with a sequence above `afterSequence`, oldest first (verification walks the chain). */
  listAuditCheckpoints(tenantId: TenantId, afterSequence: number, limit: number): Promise<readonly AuditCheckpoint[]>;
  listTenantIds(): Promise<readonly TenantId[]>;

  close(): Promise<void>;
}
