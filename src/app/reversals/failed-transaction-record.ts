// A failed transaction (V2): one per transfer (`FTX-<reference>`), written as the failure
// is detected, with its failure type and how it was detected, and then its course:
// investigating (outcome unknown) → pending_reversal → reversed, or resolved (a late
// success, or a rejected reversal), or escalated (unknown after every status query).
import { z } from 'zod';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import { detectionMethods, failureTypes, type DetectionMethod, type FailureType } from '../../domain/interbank/failure-type.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';

export const failedTransactionKind = 'failed_transaction';
export const failedTransactionStatuses = ['investigating', 'pending_reversal', 'reversed', 'resolved', 'escalated'] as const;
export type FailedTransactionStatus = (typeof failedTransactionStatuses)[number];

export type FailedTransaction = {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
  readonly transferReference: string;
  readonly failureType: FailureType;
  readonly detectionMethod: DetectionMethod;
  readonly status: FailedTransactionStatus;
  /** Our outcome code for the failing answer (`timeout`, `bank_unavailable`, …). */
  readonly outcomeCode: string;
  readonly bankCode: string | null;
  readonly channel: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly reversalId?: string;
  /** Set once at detection (glitch failures: their time bucket) and kept by every write. */
  readonly indexKey?: string;
  readonly detectedAt: number;
  readonly updatedAt: number;
};

export function failedTransactionIdFor(transferReference: string): string {
  return `FTX-${transferReference}`;
}

/** Glitch failures (91/96) are listed by time bucket, so a burst check reads only recent ones. */
export function glitchIndexKey(at: number, windowMs: number): string {
  return `glitch:${Math.floor(at / windowMs)}`;
}

const bodySchema = z.object({
  transfer_reference: z.string(),
  failure_type: z.enum(failureTypes),
  detection_method: z.enum(detectionMethods),
  status: z.enum(failedTransactionStatuses),
  outcome_code: z.string(),
  bank_code: z.string().nullable(),
  channel: z.string(),
  amount_minor: z.string().regex(/^[0-9]+$/),
  currency: z.string(),
  reversal_id: z.string().nullable(),
  index_key: z.string().nullable(),
  detected_at: z.number(),
  updated_at: z.number(),
});

export function failedTransactionWrite(failed: FailedTransaction, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    transfer_reference: failed.transferReference,
    failure_type: failed.failureType,
    detection_method: failed.detectionMethod,
    status: failed.status,
    outcome_code: failed.outcomeCode,
    bank_code: failed.bankCode,
    channel: failed.channel,
    amount_minor: failed.amountMinor.toString(),
    currency: failed.currency,
    reversal_id: failed.reversalId ?? null,
    index_key: failed.indexKey ?? null,
    detected_at: failed.detectedAt,
    updated_at: failed.updatedAt,
  };
  return { kind: failedTransactionKind, id: failed.id, body, expectedVersion, ...(failed.indexKey === undefined ? {} : { indexKey: failed.indexKey }) };
}

export function failedTransactionFromRecord(record: StoredRecord): FailedTransaction {
  const parsed = bodySchema.safeParse(record.body);
  invariant(parsed.success, `failed transaction ${record.id} is damaged`);
  const body = parsed.data;
  const currency = body.currency;
  invariant(isCurrencyCode(currency), `failed transaction ${record.id} currency is damaged`);
  return {
    tenantId: record.tenantId, id: record.id, version: record.version, transferReference: body.transfer_reference,
    failureType: body.failure_type, detectionMethod: body.detection_method, status: body.status, outcomeCode: body.outcome_code,
    bankCode: body.bank_code, channel: body.channel, amountMinor: BigInt(body.amount_minor), currency,
    ...(body.reversal_id === null ? {} : { reversalId: body.reversal_id }),
    ...(body.index_key === null ? {} : { indexKey: body.index_key }),
    detectedAt: body.detected_at, updatedAt: body.updated_at,
  };
}
