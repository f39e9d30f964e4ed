// Items of the ledger and audit tables built from domain values, and read back through
// the shared row codecs. Attribute names are the column names of the SQL stores, so one
// set of codecs checks every store's data the same way.
import type { LedgerEntryWrite, OutboxMessage, RecordWrite, StoredRecord, LedgerEntry } from '../../../app/ports/store.ts';
import type { AuditRecord } from '../../../domain/audit/audit-record.ts';
import type { TenantId } from '../../../domain/ids.ts';
import type { Account, AccountBalances, AccountDefinition } from '../../../domain/journal/accounts.ts';
import type { Transfer, TransferWrite } from '../../../domain/journal/transfers.ts';
import { auditRecordColumns, auditRecordFromRow } from '../rows/audit-codecs.ts';
import { accountColumns, accountFromRow, ledgerEntryColumns, ledgerEntryFromRow, transferColumns, transferFromRow } from '../rows/journal-codecs.ts';
import { recordFromRow } from '../rows/record-codecs.ts';
import { columnsOf, num, optionalNum, optionalText, rowOf, text, type Item } from './attributes.ts';
import { auditKeys, ledgerKeys } from './keys.ts';

const accountNames = columnsOf(accountColumns);
const transferNames = columnsOf(transferColumns);
const recordNames = columnsOf('tenant_id, kind, id, version, body, index_key, created_at, updated_at');
const ledgerEntryNames = columnsOf(ledgerEntryColumns);
const auditNames = columnsOf(auditRecordColumns);

export function balanceAttributes(balances: AccountBalances): Item {
  return {
    debits_posted: num(balances.debitsPosted),
    credits_posted: num(balances.creditsPosted),
    debits_pending: num(balances.debitsPending),
    credits_pending: num(balances.creditsPending),
  };
}

/** The definition item; balances of a no-negative account live on it, with its headroom. */
export function accountItem(definition: AccountDefinition, createdAt: number, balances: AccountBalances | null, headroom: bigint | null): Item {
  return {
    pk: text(ledgerKeys.account(definition.tenantId, definition.id)),
    sk: text(ledgerKeys.accountDefinitionSort),
    gsi1pk: text(ledgerKeys.accounts(definition.tenantId)),
    gsi1sk: text(encodeURIComponent(definition.id)),
    tenant_id: text(definition.tenantId),
    id: text(definition.id),
    type: text(definition.type),
    currency: text(definition.currency),
    name: text(definition.name),
    allow_negative: num(definition.allowNegative ? 1 : 0),
    created_at: num(createdAt),
    ...(balances === null ? {} : balanceAttributes(balances)),
    ...optionalNum('headroom', headroom),
  };
}

/** The account from its definition item plus the balances summed over it and its shards. */
export function accountOf(definition: Item, balances: AccountBalances): Account {
  return accountFromRow({ ...rowOf(definition, accountNames), ...{
    debits_posted: balances.debitsPosted, credits_posted: balances.creditsPosted,
    debits_pending: balances.debitsPending, credits_pending: balances.creditsPending,
  } });
}

export function transferItem(tenantId: TenantId, transfer: TransferWrite, sequence: bigint, committedAt: number): Item {
  const order = ledgerKeys.transferOrder(sequence, transfer.id);
  return {
    pk: text(ledgerKeys.transfer(tenantId, transfer.id)),
    sk: text(ledgerKeys.transferSort),
    gsi1pk: text(ledgerKeys.account(tenantId, transfer.debitAccountId)),
    gsi1sk: text(order),
    gsi2pk: text(ledgerKeys.account(tenantId, transfer.creditAccountId)),
    gsi2sk: text(order),
    ...(transfer.transactionId === undefined ? {} : { gsi3pk: text(ledgerKeys.transaction(tenantId, transfer.transactionId)), gsi3sk: text(order) }),
    sequence: num(sequence),
    tenant_id: text(tenantId),
    id: text(transfer.id),
    kind: text(transfer.kind),
    debit_account_id: text(transfer.debitAccountId),
    credit_account_id: text(transfer.creditAccountId),
    amount_minor: num(transfer.amountMinor),
    currency: text(transfer.currency),
    ...optionalText('pending_id', transfer.pendingId),
    ...optionalNum('pending_amount_minor', transfer.pendingAmountMinor),
    ...optionalText('transaction_id', transfer.transactionId),
    code: text(transfer.code),
    ...optionalText('corrects_transfer_id', transfer.correctsTransferId),
    ...optionalText('description', transfer.description),
    committed_at: num(committedAt),
  };
}

export function transferOf(item: Item): Transfer {
  return transferFromRow(rowOf(item, transferNames));
}

/** Marks a pending transfer resolved; its condition makes a second resolution fail. */
export function resolutionItem(tenantId: TenantId, transfer: TransferWrite): Item {
  return {
    pk: text(ledgerKeys.transfer(tenantId, transfer.pendingId ?? '')),
    sk: text(ledgerKeys.resolutionSort),
    resolution_id: text(transfer.id),
  };
}

export function recordItem(tenantId: TenantId, write: RecordWrite, createdAt: number, updatedAt: number): Item {
  const order = ledgerKeys.recordOrder(createdAt, write.id);
  return {
    pk: text(ledgerKeys.record(tenantId, write.kind, write.id)),
    sk: text(ledgerKeys.recordSort),
    gsi1pk: text(ledgerKeys.recordsOfKind(tenantId, write.kind)),
    gsi1sk: text(order),
    ...(write.indexKey === undefined ? {} : {
      gsi2pk: text(ledgerKeys.recordsOfIndexKey(tenantId, write.kind, write.indexKey)),
      gsi2sk: text(order),
      index_key: text(write.indexKey),
    }),
    tenant_id: text(tenantId),
    kind: text(write.kind),
    id: text(write.id),
    version: num(write.expectedVersion + 1),
    body: text(JSON.stringify(write.body)),
    created_at: num(createdAt),
    updated_at: num(updatedAt),
  };
}

export function recordOf(item: Item): StoredRecord {
  return recordFromRow(rowOf(item, recordNames));
}

export function ledgerEntryItem(tenantId: TenantId, entry: LedgerEntryWrite, committedAt: number): Item {
  return {
    pk: text(ledgerKeys.ledgerEntries(tenantId, entry.transactionId)),
    sk: text(entry.sequence.toString().padStart(10, '0')),
    tenant_id: text(tenantId),
    transaction_id: text(entry.transactionId),
    sequence: num(entry.sequence),
    status: text(entry.status),
    at: num(entry.at),
    transfer_ids: text(JSON.stringify(entry.transferIds)),
    details: text(JSON.stringify(entry.details)),
    committed_at: num(committedAt),
  };
}

export function ledgerEntryOf(item: Item): LedgerEntry {
  return ledgerEntryFromRow(rowOf(item, ledgerEntryNames));
}

export function outboxItem(tenantId: TenantId, message: OutboxMessage, committedAt: number): Item {
  return {
    pk: text(ledgerKeys.outbox(tenantId, message.id)),
    sk: text(ledgerKeys.outboxSort),
    gsi1pk: text(ledgerKeys.outboxQueue(tenantId)),
    gsi1sk: text(`${committedAt.toString().padStart(15, '0')}#${encodeURIComponent(message.id)}`),
    tenant_id: text(tenantId),
    id: text(message.id),
    topic: text(message.topic),
    at: num(message.at),
    payload: text(JSON.stringify(message.payload)),
    committed_at: num(committedAt),
  };
}

export function auditItem(record: AuditRecord, position: bigint): Item {
  const order = auditKeys.order(record.at, position, record.id);
  const tenantId = record.tenantId;
  return {
    pk: text(auditKeys.stream(tenantId, record.stream)),
    sk: text(record.sequence.toString().padStart(12, '0')),
    gsi1pk: text(auditKeys.byTenant(tenantId)),
    gsi1sk: text(order),
    ...(record.transactionId === undefined ? {} : { gsi2pk: text(auditKeys.byTransaction(tenantId, record.transactionId)), gsi2sk: text(order) }),
    gsi3pk: text(auditKeys.byInitiator(tenantId, record.initiator)),
    gsi3sk: text(order),
    gsi4pk: text(auditKeys.byAction(tenantId, record.action)),
    gsi4sk: text(order),
    tenant_id: text(tenantId),
    stream: text(record.stream),
    sequence: num(record.sequence),
    id: text(record.id),
    at: num(record.at),
    action: text(record.action),
    initiator: text(record.initiator),
    ...optionalText('transaction_id', record.transactionId),
    ...optionalText('refund_id', record.refundId),
    ...optionalText('reversal_id', record.reversalId),
    ...optionalText('amount', record.amount),
    ...optionalText('currency', record.currency),
    status: text(record.status),
    ...optionalText('reason', record.reason),
    ...optionalText('details', record.details === undefined ? undefined : JSON.stringify(record.details)),
    previous_hash: text(record.previousHash),
    hash: text(record.hash),
    position: num(position),
  };
}

export function auditRecordOf(item: Item): AuditRecord {
  return auditRecordFromRow(rowOf(item, auditNames));
}
