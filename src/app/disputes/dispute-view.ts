// How a dispute is shown on the wire (D1): amounts in major units, times in ISO 8601.
import { formatAmount } from '../../domain/money/money.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Dispute } from './dispute-record.ts';

const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

export function disputeView(dispute: Dispute): JsonObject {
  return {
    dispute_reference: dispute.id,
    status: dispute.status,
    priority: dispute.priority,
    transfer_reference: dispute.transferReference,
    failed_transaction_id: dispute.failedTransactionId,
    detection_method: dispute.detectionMethod,
    customer_id: dispute.customerId,
    reason: dispute.reason,
    assigned_to: dispute.assignedTo,
    resolution: dispute.resolution,
    channel: dispute.channel,
    amount: formatAmount(dispute.amountMinor, dispute.currency),
    currency: dispute.currency,
    rule: dispute.rule,
    due_at: iso(dispute.dueAt),
    penalty_exposure: dispute.penaltyExposureMinor === null ? null : formatAmount(dispute.penaltyExposureMinor, 'NGN'),
    escalated_at: iso(dispute.escalatedAt),
    opened_by: dispute.openedBy,
    created_at: iso(dispute.createdAt),
    updated_at: iso(dispute.updatedAt),
  };
}
