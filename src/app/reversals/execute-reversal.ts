// The pieces of one reversal commit (V5): the next `TXR-<year>-<seq>` reference, and the
// execution itself — the sender's hold voided (the money is theirs again), the transfer,
// failed transaction and reversal records updated with their expected versions, the
// PaymentLedger entry, the audit record and the customer notification in the outbox.
// Callers put all of it in ONE changeset: a second execution finds the versions moved
// and the hold resolved, so it can never commit.
import type { TransferId } from '../../domain/ids.ts';
import { claimYearlyReference, type ClaimedReference } from '../shared/yearly-reference.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';
import { invariant } from '../../domain/invariant.ts';
import { formatAmount, formatForPeople } from '../../domain/money/money.ts';
import type { TransferWrite } from '../../domain/journal/transfers.ts';
import { reversalReference } from '../../domain/reversals/reversal-rules.ts';
import type { AuditAppend } from '../../domain/audit/audit-record.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { LedgerEntryWrite, OutboxMessage, RecordWrite } from '../ports/store.ts';
import { transferWrite, type MoneyTransfer } from '../transfers/transfer-record.ts';
import { failedTransactionWrite, type FailedTransaction } from './failed-transaction-record.ts';
import { reversalSequenceKind, reversalWrite, type Reversal } from './reversal-record.ts';

export type ReversalCommit = {
  /** The reversal as this commit leaves it: COMPLETED, naming the transfer that released the hold. */
  readonly completed: Reversal;
  readonly transfers: TransferWrite[];
  readonly records: RecordWrite[];
  readonly ledgerEntries: LedgerEntryWrite[];
  readonly audit: AuditAppend[];
  readonly outbox: OutboxMessage[];
};

/** The next reversal reference of the tenant's year and the counter write that claims it. */
export function claimReversalReference(deps: Dependencies, tenantId: MoneyTransfer['tenantId'], at: number): Promise<ClaimedReference> {
  return claimYearlyReference(deps.store, tenantId, reversalSequenceKind, at, reversalReference);
}

/** Executes a reversal: every write of the commit, each at the version it was read. */
export async function reversalExecution(
  deps: Dependencies,
  transfer: MoneyTransfer, transferVersion: number,
  failed: FailedTransaction, failedVersion: number,
  reversal: Reversal, reversalVersion: number,
  actor: string, at: number,
): Promise<ReversalCommit> {
  invariant(transfer.status === 'TRANSFER-FAILED' || transfer.status === 'TRANSFER-ESCALATED', `transfer ${transfer.reference} is ${transfer.status}: only a failed transfer is reversed`);
  const hold = await deps.store.getTransfer(transfer.tenantId, transfer.journalTransferId);
  invariant(hold !== null && hold.kind === 'pending', `transfer ${transfer.reference}: its hold is missing`);
  const voidId = deps.ids.next('trf') as TransferId;
  const release: TransferWrite = {
    id: voidId, kind: 'void_pending', debitAccountId: hold.debitAccountId, creditAccountId: hold.creditAccountId,
    amountMinor: hold.amountMinor, currency: hold.currency, pendingId: hold.id, pendingAmountMinor: hold.amountMinor,
    transactionId: transfer.reference, code: 'reversal', correctsTransferId: hold.id, description: reversal.id,
  };
  const reversedTransfer: MoneyTransfer = { ...transfer, version: transferVersion + 1, status: 'TRANSFER-REVERSED', reversalId: reversal.id, ledgerSequence: transfer.ledgerSequence + 1, updatedAt: at };
  const reversedFailure: FailedTransaction = { ...failed, status: 'reversed', reversalId: reversal.id, updatedAt: at };
  const completed: Reversal = { ...reversal, status: 'COMPLETED', decidedBy: reversal.decidedBy ?? actor, journalTransferId: voidId, updatedAt: at };
  const amount = formatAmount(transfer.amountMinor, transfer.currency);
  const audit = await buildAuditEntry(deps, transfer.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: 'reversal.completed', initiator: actor, transactionId: transfer.reference, reversalId: reversal.id,
    amount, currency: transfer.currency, status: 'COMPLETED', reason: reversal.reason,
    details: { query: { failed_transaction_id: failed.id, mode: reversal.mode, requester: reversal.requester }, response: { journal_transfer_id: voidId, sender_account_id: transfer.senderAccountId } },
  });
  const notification: OutboxMessage = {
    id: deps.ids.next('out'), topic: 'notification.customer', at,
    payload: {
      template: 'reversal_completed', reversal_id: reversal.id, transfer_reference: transfer.reference, account_id: transfer.senderAccountId,
      amount, currency: transfer.currency,
      text: `${formatForPeople(transfer.amountMinor, transfer.currency)} has been credited back to your account (reversal ${reversal.id} of transfer ${transfer.reference}).`,
    },
  };
  return {
    completed,
    transfers: [release],
    records: [
      transferWrite(reversedTransfer, transferVersion), failedTransactionWrite(reversedFailure, failedVersion), reversalWrite(completed, reversalVersion),
      notificationRecord(deps.ids, transfer.tenantId, at, {
        audience: 'customer', recipient: transfer.senderAccountId, template: 'reversal.completed', source: `reversal:${reversal.id}`,
        data: { amount_minor: transfer.amountMinor.toString(), currency: transfer.currency, reversal_reference: reversal.id },
      }),
    ],
    ledgerEntries: [{ transactionId: transfer.reference, sequence: reversedTransfer.ledgerSequence, status: 'TRANSFER-REVERSED', at, transferIds: [voidId], details: { reversal_id: reversal.id, amount } }],
    audit: [audit],
    outbox: [notification],
  };
}
