// How reversals and failed transactions are shown on the wire (V4, V5).
import { formatAmount } from '../../domain/money/money.ts';
import type { JsonObject } from '../ports/store.ts';
import type { FailedTransaction } from './failed-transaction-record.ts';
import type { Reversal } from './reversal-record.ts';


export function reversalView(reversal: Reversal): JsonObject {
  return {
    reversal_id: reversal.id,
    status: reversal.status,
    mode: reversal.mode,
    failed_transaction_id: reversal.failedTransactionId,
    transfer_reference: reversal.transferReference,
    failure_type: reversal.failureType,
    channel: reversal.channel,
    amount: formatAmount(reversal.amountMinor, reversal.currency),
    currency: reversal.currency,
    sender_account_id: reversal.senderAccountId,
    requester: reversal.requester,
    reason: reversal.reason,
    decided_by: reversal.decidedBy ?? null,
    decision_reason: reversal.decisionReason ?? null,
    journal_transfer_id: reversal.journalTransferId ?? null,
    resolution: reversal.resolution ?? null,
    evidence: reversal.evidence ?? null,
    rollback: reversal.rollback === undefined ? null : {
      reason: reversal.rollback.reason, decided_by: reversal.rollback.decidedBy, evidence: reversal.rollback.evidence ?? null,
      journal_transfer_id: reversal.rollback.journalTransferId, rolled_back_at: new Date(reversal.rollback.at).toISOString(),
    },
    created_at: new Date(reversal.createdAt).toISOString(),
    updated_at: new Date(reversal.updatedAt).toISOString(),
  };
}

export function failedTransactionView(failed: FailedTransaction): JsonObject {
  return {
    failed_transaction_id: failed.id,
    transfer_reference: failed.transferReference,
    failure_type: failed.failureType,
    detection_method: failed.detectionMethod,
    status: failed.status,
    outcome_code: failed.outcomeCode,
    bank_code: failed.bankCode,
    channel: failed.channel,
    amount: formatAmount(failed.amountMinor, failed.currency),
    currency: failed.currency,
    reversal_id: failed.reversalId ?? null,
    detected_at: new Date(failed.detectedAt).toISOString(),
  };
}
