// A payment as stored: a versioned record whose body is JSON (amounts as minor-unit
// strings). Reading checks every field, so a damaged record fails loudly, not silently.
import type { SealedEnvelope } from '../../domain/crypto/envelope.ts';
import { isSealedEnvelope } from '../../domain/crypto/envelope.ts';
import type { AccountId, TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import type { PaymentCharge } from '../../domain/payments/payment-journal.ts';
import { isPaymentStatus, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { JsonObject, JsonValue, RecordWrite, StoredRecord } from '../ports/store.ts';
import { field, isNumber, isObject, isString, minorField } from '../shared/json-fields.ts';
import { fxSettlementFromJson, fxSettlementToJson, type FxSettlement } from './fx-settlement.ts';

export const paymentKind = 'payment';
/** Pending payments are listed through this index key; the requery job walks it. */
export const pendingIndexKey = 'status:pending';

export type ProcessorState = {
  readonly outcome: 'approved' | 'declined' | 'pending' | 'error' | 'none';
  readonly code: string;
  readonly message: string;
  readonly reference?: string;
  readonly rawReply?: SealedEnvelope;
};

export type Payment = {
  readonly tenantId: TenantId;
  readonly transactionId: string;
  readonly version: number;
  readonly status: PaymentStatus;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly processorId: string;
  readonly card: { readonly brand: string; readonly last4: string; readonly expMonth: number; readonly expYear: number };
  readonly secureToken: SealedEnvelope;
  readonly charges: readonly PaymentCharge[];
  readonly merchantAccountId: AccountId;
  readonly customerAccountId?: AccountId;
  readonly metadata: JsonObject;
  readonly requestHash: string;
  readonly processor: ProcessorState;
  readonly requeryAttempts: number;
  readonly escalated: boolean;
  readonly ledgerSequence: number;
  readonly capturedMinor: bigint;
  /** When the payment was captured; refund windows count from here. */
  readonly capturedAt: number | null;
  readonly refundedMinor: bigint;
  /** Held for refunds still pending at the processor. */
  readonly refundsHeldMinor: bigint;
  /** Fees and taxes returned to the merchant by refunds, settled or held. */
  readonly feesReturnedMinor: bigint;
  readonly taxesReturnedMinor: bigint;
  readonly refundIds: readonly string[];
  readonly openChargebacks: number;
  /**
   * What the chargebacks still open claim (R9), kept with their count so that a new one is
   * capped on the payment's own version, never on a list an index may show late; null on a
   * payment stored before it was kept, with chargebacks open then.
   */
  readonly chargebacksOpenMinor: bigint | null;
  readonly chargebacksLostMinor: bigint;
  /** Present when the merchant is settled in another currency (R7). */
  readonly settlement?: FxSettlement;
  /** The reply to the request that created the payment, replayed byte for byte. */
  readonly firstReply?: { readonly statusCode: number; readonly bodyText: string };
  readonly createdAt: number;
  readonly updatedAt: number;
};

export function processorToJson(state: ProcessorState): JsonObject {
  return {
    outcome: state.outcome,
    code: state.code,
    message: state.message,
    reference: state.reference ?? null,
    raw_reply: state.rawReply ?? null,
  };
}

export function paymentToJson(payment: Payment): JsonObject {
  return {
    transaction_id: payment.transactionId,
    status: payment.status,
    amount_minor: payment.amountMinor.toString(),
    currency: payment.currency,
    processor_id: payment.processorId,
    card: { brand: payment.card.brand, last4: payment.card.last4, exp_month: payment.card.expMonth, exp_year: payment.card.expYear },
    secure_token: payment.secureToken,
    charges: payment.charges.map((charge) => ({ type: charge.type, amount_minor: charge.amountMinor.toString() })),
    merchant_account_id: payment.merchantAccountId,
    customer_account_id: payment.customerAccountId ?? null,
    metadata: payment.metadata,
    request_hash: payment.requestHash,
    processor: processorToJson(payment.processor),
    requery_attempts: payment.requeryAttempts,
    escalated: payment.escalated,
    ledger_sequence: payment.ledgerSequence,
    captured_minor: payment.capturedMinor.toString(),
    captured_at: payment.capturedAt,
    refunded_minor: payment.refundedMinor.toString(),
    refunds_held_minor: payment.refundsHeldMinor.toString(),
    fees_returned_minor: payment.feesReturnedMinor.toString(),
    taxes_returned_minor: payment.taxesReturnedMinor.toString(),
    refund_ids: [...payment.refundIds],
    open_chargebacks: payment.openChargebacks,
    chargebacks_open_minor: payment.chargebacksOpenMinor === null ? null : payment.chargebacksOpenMinor.toString(),
    chargebacks_lost_minor: payment.chargebacksLostMinor.toString(),
    settlement: fxSettlementToJson(payment.settlement),
    first_reply: payment.firstReply === undefined
      ? null
      : { status_code: payment.firstReply.statusCode, body_text: payment.firstReply.bodyText },
    created_at: payment.createdAt,
    updated_at: payment.updatedAt,
  };
}

export function paymentWrite(payment: Payment, expectedVersion: number): RecordWrite {
  const pending = payment.status === 'PAYMENT-INITIATED' || payment.status === 'PAYMENT-PENDING';
  return {
    kind: paymentKind,
    id: payment.transactionId,
    body: paymentToJson(payment),
    expectedVersion,
    ...(pending ? { indexKey: pendingIndexKey } : {}),
  };
}

function stringList(value: JsonValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  invariant(Array.isArray(value) && value.every((item) => typeof item === 'string'), 'payment refund ids are damaged');
  return value;
}

export function processorFromJson(body: JsonObject): ProcessorState {
  const outcome = field(body, 'outcome', isString);
  invariant(['approved', 'declined', 'pending', 'error', 'none'].includes(outcome), 'payment processor outcome is damaged');
  const reference = body['reference'];
  const raw = body['raw_reply'];
  return {
    outcome: outcome as ProcessorState['outcome'],
    code: field(body, 'code', isString),
    message: field(body, 'message', isString),
    ...(typeof reference === 'string' ? { reference } : {}),
    ...(isSealedEnvelope(raw) ? { rawReply: raw } : {}),
  };
}

function chargesFromJson(value: JsonValue | undefined): PaymentCharge[] {
  invariant(Array.isArray(value), 'payment charges are damaged');
  return value.map((item) => {
    invariant(isObject(item), 'payment charge is damaged');
    const type = field(item, 'type', isString);
    invariant(type === 'fee' || type === 'tax', 'payment charge type is damaged');
    return { type, amountMinor: BigInt(field(item, 'amount_minor', isString)) };
  });
}

export function paymentFromRecord(record: StoredRecord): Payment {
  const body = record.body;
  const status = body['status'];
  invariant(isPaymentStatus(status), 'payment status is damaged');
  const currency = field(body, 'currency', isString);
  invariant(isCurrencyCode(currency), 'payment currency is damaged');
  const card = field(body, 'card', isObject);
  const token = body['secure_token'];
  invariant(isSealedEnvelope(token), 'payment secure token is damaged');
  const openChargebacks = typeof body['open_chargebacks'] === 'number' ? body['open_chargebacks'] : 0;
  const customer = body['customer_account_id'];
  const firstReply = body['first_reply'];
  const settlement = fxSettlementFromJson(body['settlement']);
  return {
    tenantId: record.tenantId,
    transactionId: record.id,
    version: record.version,
    status,
    amountMinor: BigInt(field(body, 'amount_minor', isString)),
    currency,
    processorId: field(body, 'processor_id', isString),
    card: {
      brand: field(card, 'brand', isString), last4: field(card, 'last4', isString),
      expMonth: field(card, 'exp_month', isNumber), expYear: field(card, 'exp_year', isNumber),
    },
    secureToken: token,
    charges: chargesFromJson(body['charges']),
    merchantAccountId: field(body, 'merchant_account_id', isString) as AccountId,
    ...(typeof customer === 'string' ? { customerAccountId: customer as AccountId } : {}),
    metadata: field(body, 'metadata', isObject),
    requestHash: field(body, 'request_hash', isString),
    processor: processorFromJson(field(body, 'processor', isObject)),
    requeryAttempts: field(body, 'requery_attempts', isNumber),
    escalated: body['escalated'] === true,
    ledgerSequence: field(body, 'ledger_sequence', isNumber),
    capturedMinor: BigInt(field(body, 'captured_minor', isString)),
    capturedAt: typeof body['captured_at'] === 'number' ? body['captured_at'] : null,
    refundedMinor: BigInt(field(body, 'refunded_minor', isString)),
    refundsHeldMinor: minorField(body, 'refunds_held_minor'),
    feesReturnedMinor: minorField(body, 'fees_returned_minor'),
    taxesReturnedMinor: minorField(body, 'taxes_returned_minor'),
    refundIds: stringList(body['refund_ids']),
    openChargebacks,
    chargebacksOpenMinor: typeof body['chargebacks_open_minor'] === 'string' ? minorField(body, 'chargebacks_open_minor') : openChargebacks === 0 ? 0n : null,
    chargebacksLostMinor: minorField(body, 'chargebacks_lost_minor'),
    ...(settlement === undefined ? {} : { settlement }),
    ...(isObject(firstReply)
      ? { firstReply: { statusCode: field(firstReply, 'status_code', isNumber), bodyText: field(firstReply, 'body_text', isString) } }
      : {}),
    createdAt: field(body, 'created_at', isNumber),
    updatedAt: field(body, 'updated_at', isNumber),
  };
}
