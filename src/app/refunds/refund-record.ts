// A refund as stored (R3, R5): its own transaction id (`<TransactionID>-REFUND[-n]`), the
// split of its amount, the holds it placed, the processor's answer (raw reply sealed)
// and its status. Records are never deleted: a failed refund stays FAILED.
import type { TenantId, TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';
import { field, isNumber, isObject, isString, minorField } from '../shared/json-fields.ts';
import { processorFromJson, processorToJson, type ProcessorState } from '../payments/payment-record.ts';
import type { RefundPolicy } from '../../domain/refunds/refund-split.ts';

export const refundKind = 'refund';
export const pendingRefundIndexKey = 'status:pending';
export const refundStatuses = ['REFUND-PENDING', 'REFUND-SUCCESS', 'REFUND-FAILED', 'REFUND-ROLLED-BACK'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

/**
 * `principal` (the merchant's line) is absent only when a refund of a payment settled in
 * another currency takes nothing back in that currency (R7): then `counter` is there.
 */
export type RefundHolds = { readonly principal?: TransferId; readonly counter?: TransferId; readonly tax?: TransferId; readonly fee?: TransferId };

/** Every hold of a refund, in the order they were placed. */
export function holdIds(holds: RefundHolds): TransferId[] {
  return [holds.principal, holds.counter, holds.tax, holds.fee].filter((id): id is TransferId => id !== undefined);
}

/** R7: what the refund takes back from the merchant in the settlement currency, at the payment's rate. */
export type RefundSettlement = { readonly currency: CurrencyCode; readonly amountMinor: bigint; readonly rate: string };

export type Refund = {
  readonly tenantId: TenantId;
  readonly refundId: string;
  readonly transactionId: string;
  readonly version: number;
  readonly status: RefundStatus;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly taxMinor: bigint;
  readonly feeMinor: bigint;
  /**
   * R4: the tenant's fee and tax policy the refund was decided under; later refunds count
   * their shares only on refunds made under a policy returning them. Absent on refunds
   * recorded before it was kept: those count as made under the policies returning both,
   * as every refund then counted.
   */
  readonly policy?: RefundPolicy;
  /** Present for a payment settled in another currency; tax and fee are then in that currency. */
  readonly settlement?: RefundSettlement;
  readonly reason: string;
  readonly initiator: string;
  readonly holds: RefundHolds;
  readonly processor: ProcessorState;
  readonly requeryAttempts: number;
  readonly ledgerSequence: number;
  readonly requestHash: string;
  readonly firstReply?: { readonly statusCode: number; readonly bodyText: string };
  readonly rollback?: { readonly reason: string; readonly approver: string; readonly at: number };
  readonly createdAt: number;
  readonly updatedAt: number;
};

export function refundIdFor(transactionId: string, ordinal: number): string {
  return ordinal === 1 ? `${transactionId}-REFUND` : `${transactionId}-REFUND-${ordinal}`;
}

/**
 * R5: the ending every refund id has. Refund transactions share the ledger's entry keys
 * with payments and transfers, so a client id ending like this could be some payment's
 * refund id and the two would collide; client ids ending so are refused at the edge.
 */
export const refundIdEnding = /-REFUND(-[0-9]+)?$/;

export function endsLikeRefundId(clientId: string): boolean {
  return refundIdEnding.test(clientId);
}

export function refundWrite(refund: Refund, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    transaction_id: refund.transactionId,
    status: refund.status,
    amount_minor: refund.amountMinor.toString(),
    currency: refund.currency,
    tax_minor: refund.taxMinor.toString(),
    fee_minor: refund.feeMinor.toString(),
    policy: refund.policy === undefined ? null : { fees: refund.policy.fees, taxes: refund.policy.taxes },
    settlement: refund.settlement === undefined ? null : { currency: refund.settlement.currency, amount_minor: refund.settlement.amountMinor.toString(), rate: refund.settlement.rate },
    reason: refund.reason,
    initiator: refund.initiator,
    holds: { principal: refund.holds.principal ?? null, counter: refund.holds.counter ?? null, tax: refund.holds.tax ?? null, fee: refund.holds.fee ?? null },
    processor: processorToJson(refund.processor),
    requery_attempts: refund.requeryAttempts,
    ledger_sequence: refund.ledgerSequence,
    request_hash: refund.requestHash,
    first_reply: refund.firstReply === undefined ? null : { status_code: refund.firstReply.statusCode, body_text: refund.firstReply.bodyText },
    rollback: refund.rollback === undefined ? null : { reason: refund.rollback.reason, approver: refund.rollback.approver, at: refund.rollback.at },
    created_at: refund.createdAt,
    updated_at: refund.updatedAt,
  };
  return {
    kind: refundKind,
    id: refund.refundId,
    body,
    expectedVersion,
    ...(refund.status === 'REFUND-PENDING' ? { indexKey: pendingRefundIndexKey } : {}),
  };
}

function settlementFromJson(value: JsonObject): RefundSettlement {
  const currency = field(value, 'currency', isString);
  invariant(isCurrencyCode(currency), 'refund settlement currency is damaged');
  return { currency, amountMinor: minorField(value, 'amount_minor'), rate: field(value, 'rate', isString) };
}

function policyFromJson(value: JsonObject): RefundPolicy {
  const fees = field(value, 'fees', isString);
  const taxes = field(value, 'taxes', isString);
  invariant((fees === 'refund' || fees === 'keep') && (taxes === 'proportional' || taxes === 'keep'), 'refund policy is damaged');
  return { fees, taxes };
}

/** R4: whether the refund's amount earns a share of the payment's fees and of its taxes. */
export function returnsShares(refund: Refund): { readonly fees: boolean; readonly taxes: boolean } {
  return { fees: (refund.policy?.fees ?? 'refund') === 'refund', taxes: (refund.policy?.taxes ?? 'proportional') === 'proportional' };
}

function holdsFromJson(body: JsonObject): RefundHolds {
  const principal = body['principal'];
  const counter = body['counter'];
  const tax = body['tax'];
  const fee = body['fee'];
  invariant(typeof principal === 'string' || typeof counter === 'string', 'refund holds are damaged');
  return {
    ...(typeof principal === 'string' ? { principal: principal as TransferId } : {}),
    ...(typeof counter === 'string' ? { counter: counter as TransferId } : {}),
    ...(typeof tax === 'string' ? { tax: tax as TransferId } : {}),
    ...(typeof fee === 'string' ? { fee: fee as TransferId } : {}),
  };
}

export function refundFromRecord(record: StoredRecord): Refund {
  const body = record.body;
  const status = field(body, 'status', isString);
  invariant((refundStatuses as readonly string[]).includes(status), 'refund status is damaged');
  const currency = field(body, 'currency', isString);
  invariant(isCurrencyCode(currency), 'refund currency is damaged');
  const firstReply = body['first_reply'];
  const rollback = body['rollback'];
  const settlement = body['settlement'];
  const policy = body['policy'];
  return {
    tenantId: record.tenantId,
    refundId: record.id,
    transactionId: field(body, 'transaction_id', isString),
    version: record.version,
    status: status as RefundStatus,
    amountMinor: minorField(body, 'amount_minor'),
    currency,
    taxMinor: minorField(body, 'tax_minor'),
    feeMinor: minorField(body, 'fee_minor'),
    ...(isObject(policy) ? { policy: policyFromJson(policy) } : {}),
    ...(isObject(settlement) ? { settlement: settlementFromJson(settlement) } : {}),
    reason: field(body, 'reason', isString),
    initiator: field(body, 'initiator', isString),
    holds: holdsFromJson(field(body, 'holds', isObject)),
    processor: processorFromJson(field(body, 'processor', isObject)),
    requeryAttempts: field(body, 'requery_attempts', isNumber),
    ledgerSequence: field(body, 'ledger_sequence', isNumber),
    requestHash: field(body, 'request_hash', isString),
    ...(isObject(firstReply)
      ? { firstReply: { statusCode: field(firstReply, 'status_code', isNumber), bodyText: field(firstReply, 'body_text', isString) } }
      : {}),
    ...(isObject(rollback)
      ? { rollback: { reason: field(rollback, 'reason', isString), approver: field(rollback, 'approver', isString), at: field(rollback, 'at', isNumber) } }
      : {}),
    createdAt: field(body, 'created_at', isNumber),
    updatedAt: field(body, 'updated_at', isNumber),
  };
}
