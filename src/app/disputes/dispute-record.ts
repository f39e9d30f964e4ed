// A dispute case (D1) as stored: `DSP-<year>-<seq>` per tenant, the failed transaction or
// transfer it is about, the customer, priority, assignee, status, the resolution deadline
// the tenant's timeline rules gave it at creation, and the penalty exposure if it breached.
import { z } from 'zod';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import { detectionMethods, type DetectionMethod } from '../../domain/interbank/failure-type.ts';
import { disputePriorities, disputeStatuses, type DisputePriority, type DisputeStatus } from '../../domain/disputes/dispute-lifecycle.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';

export const disputeKind = 'dispute';
/** The tenant's running dispute number of one year: id = the year. */
export const disputeSequenceKind = 'dispute_sequence';

export type Dispute = {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
  readonly status: DisputeStatus;
  readonly priority: DisputePriority;
  readonly transferReference: string;
  readonly failedTransactionId: string | null;
  /** How the failure came to light: the failed transaction's method, or the customer's report. */
  readonly detectionMethod: DetectionMethod;
  readonly customerId: string;
  readonly reason: string;
  readonly assignedTo: string | null;
  readonly resolution: string | null;
  readonly channel: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly rule: string;
  readonly dueAt: number;
  /** When the failure happened (detection, else the report), for the penalty window. */
  readonly failedAt: number;
  readonly penaltyExposureMinor: bigint | null;
  readonly escalatedAt: number | null;
  readonly openedBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
};

export function disputeIndexKey(status: DisputeStatus): string {
  return `status:${status}`;
}

const bodySchema = z.object({
  status: z.enum(disputeStatuses),
  priority: z.enum(disputePriorities),
  transfer_reference: z.string(),
  failed_transaction_id: z.string().nullable(),
  detection_method: z.enum(detectionMethods),
  customer_id: z.string(),
  reason: z.string(),
  assigned_to: z.string().nullable(),
  resolution: z.string().nullable(),
  channel: z.string(),
  amount_minor: z.string().regex(/^[0-9]+$/),
  currency: z.string(),
  rule: z.string(),
  due_at: z.number(),
  failed_at: z.number(),
  penalty_exposure_minor: z.string().regex(/^[0-9]+$/).nullable(),
  escalated_at: z.number().nullable(),
  opened_by: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
});

export function disputeWrite(dispute: Dispute, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    status: dispute.status, priority: dispute.priority, transfer_reference: dispute.transferReference,
    failed_transaction_id: dispute.failedTransactionId, detection_method: dispute.detectionMethod, customer_id: dispute.customerId,
    reason: dispute.reason, assigned_to: dispute.assignedTo, resolution: dispute.resolution, channel: dispute.channel,
    amount_minor: dispute.amountMinor.toString(), currency: dispute.currency, rule: dispute.rule, due_at: dispute.dueAt,
    failed_at: dispute.failedAt, penalty_exposure_minor: dispute.penaltyExposureMinor === null ? null : dispute.penaltyExposureMinor.toString(),
    escalated_at: dispute.escalatedAt, opened_by: dispute.openedBy, created_at: dispute.createdAt, updated_at: dispute.updatedAt,
  };
  return { kind: disputeKind, id: dispute.id, body, expectedVersion, indexKey: disputeIndexKey(dispute.status) };
}

export function disputeFromRecord(record: StoredRecord): Dispute {
  const parsed = bodySchema.safeParse(record.body);
  invariant(parsed.success, `dispute ${record.id} is damaged`);
  const body = parsed.data;
  const currency = body.currency;
  invariant(isCurrencyCode(currency), `dispute ${record.id} currency is damaged`);
  return {
    tenantId: record.tenantId, id: record.id, version: record.version, status: body.status, priority: body.priority,
    transferReference: body.transfer_reference, failedTransactionId: body.failed_transaction_id, detectionMethod: body.detection_method,
    customerId: body.customer_id, reason: body.reason, assignedTo: body.assigned_to, resolution: body.resolution, channel: body.channel,
    amountMinor: BigInt(body.amount_minor), currency, rule: body.rule, dueAt: body.due_at, failedAt: body.failed_at,
    penaltyExposureMinor: body.penalty_exposure_minor === null ? null : BigInt(body.penalty_exposure_minor),
    escalatedAt: body.escalated_at, openedBy: body.opened_by, createdAt: body.created_at, updatedAt: body.updated_at,
  };
}
