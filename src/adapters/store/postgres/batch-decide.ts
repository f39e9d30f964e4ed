// Decides a batch of changesets in memory, in order, against the state its transaction
// locked and read: each changeset sees the ones before it, the same checks and the same
// domain arithmetic as the SQLite store, and a conflict drops that changeset whole (its
// staged writes are discarded). What survives becomes a handful of multi-row statements.
import type { Changeset, Conflict, LedgerEntryWrite, OutboxMessage, RecordWrite } from '../../../app/ports/store.ts';
import { chainAuditRecord, type AuditRecord } from '../../../domain/audit/audit-record.ts';
import { breaksBalanceLimit, normalSideOf, type Account, type AccountBalances } from '../../../domain/journal/accounts.ts';
import { applyDelta, balanceDeltas, resolvesPending, type Transfer, type TransferWrite } from '../../../domain/journal/transfers.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { key, type BatchState } from './batch-state.ts';

export type LockedAccount = Account & { readonly lastCommittedAt: bigint };

export type RecordRow = { readonly tenantId: TenantId; readonly write: RecordWrite; readonly version: number; readonly at: number };
export type HistoryRow = { readonly tenantId: TenantId; readonly accountId: AccountId; readonly transferId: TransferId; readonly balances: AccountBalances };
export type NewTransfer = { readonly tenantId: TenantId; readonly transfer: TransferWrite };

/** Everything the surviving changesets write, in order. */
export type BatchWrites = {
  readonly tenants: Set<TenantId>;
  /** Final state per record key: inserted (initialVersion 0) or updated from initialVersion. */
  readonly records: Map<string, RecordRow & { readonly initialVersion: number }>;
  readonly newAccounts: Set<string>;
  readonly touchedAccounts: Set<string>;
  readonly transfers: NewTransfer[];
  readonly history: HistoryRow[];
  readonly ledgerEntries: { readonly tenantId: TenantId; readonly entry: LedgerEntryWrite }[];
  readonly audit: AuditRecord[];
  readonly outbox: { readonly tenantId: TenantId; readonly message: OutboxMessage }[];
};

export function emptyWrites(): BatchWrites {
  return {
    tenants: new Set(), records: new Map(), newAccounts: new Set(), touchedAccounts: new Set(),
    transfers: [], history: [], ledgerEntries: [], audit: [], outbox: [],
  };
}

/** One changeset's view: reads fall through to the batch state, writes stay here until it commits. */
class Stage {
  readonly records = new Map<string, number>();
  readonly accounts = new Map<string, LockedAccount>();
  readonly newAccounts = new Set<string>();
  readonly transfers = new Map<string, Transfer | TransferWrite>();
  readonly resolved = new Set<string>();
  readonly ledgerEntries = new Set<string>();
  readonly writes = emptyWrites();

  constructor(readonly state: BatchState, readonly tenantId: TenantId) {}

  recordVersion(recordKey: string): number | undefined {
    return this.records.get(recordKey) ?? this.state.records.get(recordKey);
  }

  account(accountId: AccountId): LockedAccount | undefined {
    const accountKey = key(this.tenantId, accountId);
    return this.accounts.get(accountKey) ?? this.state.accounts.get(accountKey);
  }

  transfer(transferKey: string): Transfer | TransferWrite | undefined {
    return this.transfers.get(transferKey) ?? this.state.transfers.get(transferKey);
  }
}

function stageRecords(stage: Stage, changeset: Changeset, batch: BatchWrites): Conflict | null {
  for (const write of changeset.records ?? []) {
    const recordKey = key(stage.tenantId, write.kind, write.id);
    const current = stage.recordVersion(recordKey);
    if ((current ?? 0) !== write.expectedVersion) return { kind: 'version', recordKind: write.kind, id: write.id };
    const version = write.expectedVersion + 1;
    stage.records.set(recordKey, version);
    const previous = stage.writes.records.get(recordKey) ?? batch.records.get(recordKey);
    const initialVersion = previous?.initialVersion ?? write.expectedVersion;
    stage.writes.records.set(recordKey, { tenantId: stage.tenantId, write, version, at: changeset.at, initialVersion });
  }
  return null;
}

function stageAccounts(stage: Stage, changeset: Changeset): Conflict | null {
  for (const definition of changeset.accounts ?? []) {
    if (stage.account(definition.id) !== undefined) return { kind: 'account_exists', accountId: definition.id };
    const accountKey = key(stage.tenantId, definition.id);
    stage.accounts.set(accountKey, {
      ...definition, normalSide: normalSideOf(definition.type), createdAt: changeset.at,
      debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n, lastCommittedAt: 0n,
    });
    stage.newAccounts.add(accountKey);
  }
  return null;
}

function checkAccount(account: LockedAccount | undefined, accountId: AccountId, transfer: TransferWrite): Conflict | null {
  if (account === undefined) return { kind: 'account_missing', accountId };
  if (account.currency !== transfer.currency) return { kind: 'currency_mismatch', accountId };
  return null;
}

function checkPending(stage: Stage, transfer: TransferWrite): Conflict | null {
  if (transfer.pendingId === undefined) return null;
  const pendingKey = key(stage.tenantId, transfer.pendingId);
  const pending = stage.transfer(pendingKey);
  if (pending === undefined) return { kind: 'pending_missing', transferId: transfer.pendingId };
  if (!resolvesPending(pending, transfer)) return { kind: 'pending_mismatch', transferId: transfer.pendingId };
  return stage.resolved.has(pendingKey) || stage.state.resolved.has(pendingKey) ? { kind: 'pending_resolved', transferId: transfer.pendingId } : null;
}

function stageTransfer(stage: Stage, transfer: TransferWrite): Conflict | null {
  const transferKey = key(stage.tenantId, transfer.id);
  if (stage.transfer(transferKey) !== undefined) return { kind: 'transfer_exists', transferId: transfer.id };
  const debit = stage.account(transfer.debitAccountId);
  const credit = stage.account(transfer.creditAccountId);
  const accountConflict = checkAccount(debit, transfer.debitAccountId, transfer) ?? checkAccount(credit, transfer.creditAccountId, transfer);
  if (accountConflict !== null || debit === undefined || credit === undefined) return accountConflict;
  const pendingConflict = checkPending(stage, transfer);
  if (pendingConflict !== null) return pendingConflict;
  const deltas = balanceDeltas(transfer);
  const debitAfter = { ...debit, ...applyDelta(debit, deltas.debit) };
  const creditAfter = { ...credit, ...applyDelta(credit, deltas.credit) };
  if (breaksBalanceLimit(debitAfter)) return { kind: 'balance_limit', accountId: debit.id };
  if (breaksBalanceLimit(creditAfter)) return { kind: 'balance_limit', accountId: credit.id };
  stage.transfers.set(transferKey, transfer);
  if (transfer.pendingId !== undefined) stage.resolved.add(key(stage.tenantId, transfer.pendingId));
  stage.accounts.set(key(stage.tenantId, debit.id), debitAfter);
  stage.accounts.set(key(stage.tenantId, credit.id), creditAfter);
  stage.writes.transfers.push({ tenantId: stage.tenantId, transfer });
  for (const after of [debitAfter, creditAfter]) {
    stage.writes.history.push({ tenantId: stage.tenantId, accountId: after.id, transferId: transfer.id, balances: after });
  }
  return null;
}

function stageLedgerEntries(stage: Stage, entries: readonly LedgerEntryWrite[]): Conflict | null {
  for (const entry of entries) {
    const entryKey = key(stage.tenantId, entry.transactionId, entry.sequence);
    if (stage.ledgerEntries.has(entryKey) || stage.state.ledgerEntries.has(entryKey)) {
      return { kind: 'ledger_entry_exists', transactionId: entry.transactionId, sequence: entry.sequence };
    }
    stage.ledgerEntries.add(entryKey);
    stage.writes.ledgerEntries.push({ tenantId: stage.tenantId, entry });
  }
  return null;
}

function mergeStage(stage: Stage, batch: BatchWrites): void {
  const { state } = stage;
  for (const [recordKey, version] of stage.records) state.records.set(recordKey, version);
  for (const [accountKey, account] of stage.accounts) {
    state.accounts.set(accountKey, account);
    batch.touchedAccounts.add(accountKey);
  }
  for (const accountKey of stage.newAccounts) batch.newAccounts.add(accountKey);
  for (const [transferKey, transfer] of stage.transfers) state.transfers.set(transferKey, { ...transfer, tenantId: stage.tenantId, sequence: 0n, committedAt: 0 });
  for (const pendingKey of stage.resolved) state.resolved.add(pendingKey);
  for (const entryKey of stage.ledgerEntries) state.ledgerEntries.add(entryKey);
  for (const [recordKey, row] of stage.writes.records) batch.records.set(recordKey, row);
  batch.transfers.push(...stage.writes.transfers);
  batch.history.push(...stage.writes.history);
  batch.ledgerEntries.push(...stage.writes.ledgerEntries);
  batch.tenants.add(stage.tenantId);
}

/** Chains audit records onto the heads as they stand; audit appends never conflict. */
function appendAudit(state: BatchState, changeset: Changeset, batch: BatchWrites): void {
  for (const append of changeset.audit ?? []) {
    const headKey = key(changeset.tenantId, append.stream);
    const record = chainAuditRecord(changeset.tenantId, append, state.heads.get(headKey) ?? null);
    state.heads.set(headKey, { stream: record.stream, sequence: record.sequence, hash: record.hash });
    batch.audit.push(record);
  }
  for (const message of changeset.outbox ?? []) batch.outbox.push({ tenantId: changeset.tenantId, message });
}

/** Decides one changeset; on success its writes join the batch, on a conflict nothing does. */
export function decideChangeset(state: BatchState, changeset: Changeset, batch: BatchWrites): Conflict | null {
  const stage = new Stage(state, changeset.tenantId);
  let conflict = stageRecords(stage, changeset, batch) ?? stageAccounts(stage, changeset);
  for (const transfer of changeset.transfers ?? []) {
    if (conflict !== null) break;
    conflict = stageTransfer(stage, transfer);
  }
  conflict ??= stageLedgerEntries(stage, changeset.ledgerEntries ?? []);
  if (conflict !== null) return conflict;
  mergeStage(stage, batch);
  appendAudit(state, changeset, batch);
  return null;
}
