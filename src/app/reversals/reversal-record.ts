// A reversal (V4, V5): its unique reference `TXR-<year>-<seq>` per tenant, the failed
// transaction it reverses, automatic or manual, who asked and who approved or rejected,
// and the journal transfer that gave the sender the money back.
import { z } from 'zod';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import { failureTypes, type FailureType } from '../../domain/interbank/failure-type.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';

export const reversalKind = 'reversal';
/** The tenant's running reversal number of one year: id = the year. */
export const reversalSequenceKind = 'reversal_sequence';
/** ROLLED_BACK (R8): a completed reversal undone by a compensating transfer; it no longer counts as a reversal. */
export const reversalStatuses = ['PENDING_APPROVAL', 'COMPLETED', 'REJECTED', 'ROLLED_BACK'] as const;
export type ReversalStatus = (typeof reversalStatuses)[number];
/** Why a rejected reversal was rejected when it settled the transfer: the beneficiary was paid. */
export const reversalResolutions = ['paid'] as const;
export type ReversalResolution = (typeof reversalResolutions)[number];

export type Reversal = {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
  readonly status: ReversalStatus;
  readonly mode: 'automatic' | 'manual';
  readonly failedTransactionId: string;
  readonly transferReference: string;
  readonly failureType: FailureType;
  readonly channel: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly senderAccountId: string;
  readonly requester: string;
  readonly reason: string;
  readonly decidedBy?: string;
  readonly decisionReason?: string;
  readonly journalTransferId?: string;
  /** `paid`: rejected because a person confirmed the beneficiary was credited; the transfer was settled as a success. */
  readonly resolution?: ReversalResolution;
  /** The decider's reference for that confirmation (a settlement session id, …). */
  readonly evidence?: string;
  /** Set when a wrong reversal was rolled back (R8): why, by whom, on what evidence, when, and the compensating transfer. */
  readonly rollback?: ReversalRollback;
  readonly createdAt: number;
  readonly updatedAt: number;
};

export type ReversalRollback = {
  readonly reason: string;
  readonly decidedBy: string;
  readonly evidence?: string;
  readonly journalTransferId: string;
  readonly at: number;
};

export function reversalIndexKey(status: ReversalStatus): string {
  return `status:${status}`;
}

const bodySchema = z.object({
  status: z.enum(reversalStatuses),
  mode: z.enum(['automatic', 'manual']),
  failed_transaction_id: z.string(),
  transfer_reference: z.string(),
  failure_type: z.enum(failureTypes),
  channel: z.string(),
  amount_minor: z.string().regex(/^[0-9]+$/),
  currency: z.string(),
  sender_account_id: z.string(),
  requester: z.string(),
  reason: z.string(),
  decided_by: z.string().nullable(),
  decision_reason: z.string().nullable(),
  journal_transfer_id: z.string().nullable(),
  resolution: z.enum(reversalResolutions).nullable().optional(),
  evidence: z.string().nullable().optional(),
  rollback: z.object({
    reason: z.string(), decided_by: z.string(), evidence: z.string().nullable(), journal_transfer_id: z.string(), at: z.number(),
  }).nullable().optional(),
  created_at: z.number(),
  updated_at: z.number(),
});

export function reversalWrite(reversal: Reversal, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    status: reversal.status, mode: reversal.mode, failed_transaction_id: reversal.failedTransactionId,
    transfer_reference: reversal.transferReference, failure_type: reversal.failureType, channel: reversal.channel,
    amount_minor: reversal.amountMinor.toString(), currency: reversal.currency, sender_account_id: reversal.senderAccountId,
    requester: reversal.requester, reason: reversal.reason, decided_by: reversal.decidedBy ?? null,
    decision_reason: reversal.decisionReason ?? null, journal_transfer_id: reversal.journalTransferId ?? null,
    resolution: reversal.resolution ?? null, evidence: reversal.evidence ?? null, rollback: rollbackBody(reversal.rollback),
    created_at: reversal.createdAt, updated_at: reversal.updatedAt,
  };
  return { kind: reversalKind, id: reversal.id, body, expectedVersion, indexKey: reversalIndexKey(reversal.status) };
}

function rollbackBody(rollback: ReversalRollback | undefined): JsonObject | null {
  if (rollback === undefined) return null;
  return { reason: rollback.reason, decided_by: rollback.decidedBy, evidence: rollback.evidence ?? null, journal_transfer_id: rollback.journalTransferId, at: rollback.at };
}

function rollbackOf(body: z.infer<typeof bodySchema>['rollback']): ReversalRollback | undefined {
  if (body === null || body === undefined) return undefined;
  return { reason: body.reason, decidedBy: body.decided_by, ...(body.evidence === null ? {} : { evidence: body.evidence }), journalTransferId: body.journal_transfer_id, at: body.at };
}

export function reversalFromRecord(record: StoredRecord): Reversal {
  const parsed = bodySchema.safeParse(record.body);
  invariant(parsed.success, `reversal ${record.id} is damaged`);
  const body = parsed.data;
  const currency = body.currency;
  invariant(isCurrencyCode(currency), `reversal ${record.id} currency is damaged`);
  const rollback = rollbackOf(body.rollback);
  return {
    tenantId: record.tenantId, id: record.id, version: record.version, status: body.status, mode: body.mode,
    failedTransactionId: body.failed_transaction_id, transferReference: body.transfer_reference, failureType: body.failure_type,
    channel: body.channel, amountMinor: BigInt(body.amount_minor), currency, senderAccountId: body.sender_account_id,
    requester: body.requester, reason: body.reason,
    ...(body.decided_by === null ? {} : { decidedBy: body.decided_by }),
    ...(body.decision_reason === null ? {} : { decisionReason: body.decision_reason }),
    ...(body.journal_transfer_id === null ? {} : { journalTransferId: body.journal_transfer_id }),
    ...(body.resolution === null || body.resolution === undefined ? {} : { resolution: body.resolution }),
    ...(body.evidence === null || body.evidence === undefined ? {} : { evidence: body.evidence }),
    ...(rollback === undefined ? {} : { rollback }),
    createdAt: body.created_at, updatedAt: body.updated_at,
  };
}
