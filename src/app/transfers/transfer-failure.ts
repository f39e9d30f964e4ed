// What a definite failure of a transfer commits (V2, V4): the failed transaction (new, or
// the one opened while the outcome was unknown), the transfer FAILED, and — as the
// tenant's rules decide — either the reversal executed in the same changeset (automatic)
// or a reversal request waiting for an approver (manual), with a case for operations.
import { approvalNeeded } from '../notifications/operations-alerts.ts';
import type { AuditAppend } from '../../domain/audit/audit-record.ts';
import { failureTypeOf, type FailureType } from '../../domain/interbank/failure-type.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { decideReversalMode } from '../../domain/reversals/reversal-rules.ts';
import type { ProcessorOutcome } from '../../domain/processors/outcome.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { Changeset } from '../ports/store.ts';
import { failedTransactionIdFor, glitchIndexKey, type FailedTransaction } from '../reversals/failed-transaction-record.ts';
import { claimReversalReference, reversalExecution } from '../reversals/execute-reversal.ts';
import { reversalRulesOf } from '../reversals/reversal-policy.ts';
import { reversalWrite, type Reversal } from '../reversals/reversal-record.ts';
import { failedTransactionWrite } from '../reversals/failed-transaction-record.ts';
import { transferWrite, type MoneyTransfer } from './transfer-record.ts';
import { transferReply } from './transfer-view.ts';
import { failureIncidentWrites, type SignificantFailure } from '../compliance/open-incident.ts';

export const systemReversalActor = 'system:reversals';
export const systemDetectionActor = 'system:detection';

/** A failed transaction as first detected, or the open one carried forward. */
export function detectedFailure(deps: Dependencies, transfer: MoneyTransfer, existing: FailedTransaction | null, failureType: FailureType, outcomeCode: string, at: number): FailedTransaction {
  if (existing !== null) return { ...existing, failureType, outcomeCode, updatedAt: at };
  return {
    tenantId: transfer.tenantId, id: failedTransactionIdFor(transfer.reference), version: 0, transferReference: transfer.reference,
    failureType, detectionMethod: 'automatic', status: 'investigating', outcomeCode,
    bankCode: transfer.receiver.kind === 'bank' ? transfer.receiver.bankCode : null, channel: transfer.channel,
    amountMinor: transfer.amountMinor, currency: transfer.currency,
    ...(failureType === 'system_glitch' ? { indexKey: glitchIndexKey(at, deps.settings.glitchWindowMs) } : {}),
    detectedAt: at, updatedAt: at,
  };
}

/** A failed transaction as the incident rules (D3) judge it. */
export function significantFailure(failed: FailedTransaction, escalated: boolean, reason: string): SignificantFailure {
  return {
    tenantId: failed.tenantId, failedTransactionId: failed.id, transferReference: failed.transferReference, amountMinor: failed.amountMinor,
    currency: failed.currency, channel: failed.channel, failureType: failed.failureType, escalated, reason, detectedAt: failed.detectedAt,
  };
}

type FailureInput = {
  readonly transfer: MoneyTransfer;
  readonly existing: FailedTransaction | null;
  readonly outcome: ProcessorOutcome;
  readonly rail: MoneyTransfer['rail'];
  readonly initiator: string;
  readonly rememberReply: boolean;
  readonly at: number;
};

function failedAuditFields(transfer: MoneyTransfer, failed: FailedTransaction, outcome: ProcessorOutcome, initiator: string): Parameters<typeof buildAuditEntry>[3] {
  return {
    stream: `txn:${transfer.reference}`, action: 'transfer.failed', initiator, transactionId: transfer.reference,
    amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency, status: 'TRANSFER-FAILED', reason: outcome.message,
    details: { response: { outcome: outcome.kind, code: outcome.code, failure_type: failed.failureType, detection_method: failed.detectionMethod, failed_transaction_id: failed.id } },
  };
}

export async function definiteFailureChangeset(deps: Dependencies, input: FailureInput): Promise<{ changeset: Changeset; transfer: MoneyTransfer }> {
  const { transfer, existing, outcome, at } = input;
  const failureType = failureTypeOf(transfer.firstUncertainCode ?? outcome.code);
  const detected = detectedFailure(deps, transfer, existing, failureType, outcome.code, at);
  const rules = await reversalRulesOf(deps, transfer.tenantId, transfer.currency);
  const mode = decideReversalMode({ failureType, amountMinor: transfer.amountMinor, channel: transfer.channel }, rules);
  const claimed = await claimReversalReference(deps, transfer.tenantId, at);
  const reversal: Reversal = {
    tenantId: transfer.tenantId, id: claimed.id, version: 0, status: 'PENDING_APPROVAL', mode: mode.mode, failedTransactionId: detected.id,
    transferReference: transfer.reference, failureType, channel: transfer.channel, amountMinor: transfer.amountMinor, currency: transfer.currency,
    senderAccountId: transfer.senderAccountId, requester: systemDetectionActor, reason: `${outcome.message} (${mode.why})`, createdAt: at, updatedAt: at,
  };
  let failedTransfer: MoneyTransfer = {
    ...transfer, version: transfer.version + 1, status: 'TRANSFER-FAILED', rail: input.rail, failedTransactionId: detected.id, reversalId: reversal.id,
    ledgerSequence: transfer.ledgerSequence + 1, updatedAt: at,
  };
  const finalStatus = mode.mode === 'automatic' ? 'TRANSFER-REVERSED' : 'TRANSFER-FAILED';
  if (input.rememberReply && failedTransfer.firstReply === undefined) {
    const reply = transferReply({ ...failedTransfer, status: finalStatus });
    failedTransfer = { ...failedTransfer, firstReply: { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body) } };
  }
  const failedAudit: AuditAppend = await buildAuditEntry(deps, transfer.tenantId, at, failedAuditFields(transfer, detected, outcome, input.initiator));
  const incident = await failureIncidentWrites(deps, significantFailure(detected, false, outcome.message), at);
  const failedEntry = { transactionId: transfer.reference, sequence: failedTransfer.ledgerSequence, status: 'TRANSFER-FAILED', at, transferIds: [], details: { code: outcome.code, failure_type: failureType } };
  if (mode.mode === 'automatic') {
    const executed = await reversalExecution(deps, failedTransfer, transfer.version, detected, existing?.version ?? 0, reversal, 0, systemReversalActor, at);
    return {
      transfer: { ...failedTransfer, status: 'TRANSFER-REVERSED', version: transfer.version + 1, ledgerSequence: failedTransfer.ledgerSequence + 1 },
      changeset: {
        tenantId: transfer.tenantId, at, transfers: executed.transfers, records: [...executed.records, claimed.write, ...incident.records],
        ledgerEntries: [failedEntry, ...executed.ledgerEntries], audit: [failedAudit, ...executed.audit, ...incident.audit], outbox: executed.outbox,
      },
    };
  }
  const waiting: FailedTransaction = { ...detected, status: 'pending_reversal', reversalId: reversal.id };
  const requestAudit = await buildAuditEntry(deps, transfer.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: 'reversal.requested', initiator: systemDetectionActor, transactionId: transfer.reference, reversalId: reversal.id,
    amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency, status: 'PENDING_APPROVAL', reason: reversal.reason,
  });
  return {
    transfer: failedTransfer,
    changeset: {
      tenantId: transfer.tenantId, at,
      records: [
        transferWrite(failedTransfer, transfer.version), failedTransactionWrite(waiting, existing?.version ?? 0), reversalWrite(reversal, 0), claimed.write,
        approvalNeeded(deps, transfer.tenantId, at, reversal.id, transfer.amountMinor, transfer.currency, systemDetectionActor, mode.why),
        ...incident.records,
      ],
      ledgerEntries: [failedEntry], audit: [failedAudit, requestAudit, ...incident.audit],
      outbox: [{ id: deps.ids.next('out'), topic: 'notification.operations', at, payload: { template: 'manual_reversal_needed', reversal_id: reversal.id, transfer_reference: transfer.reference, why: mode.why } }],
    },
  };
}
