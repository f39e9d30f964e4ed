// A chargeback as stored (R9): the amount the card network claims back on a payment,
// the network's reason code, and whether it is open, won or lost.
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';
import { field, isNumber, isString, minorField } from '../shared/json-fields.ts';

export const chargebackKind = 'chargeback';
export const chargebackStatuses = ['open', 'won', 'lost'] as const;
export type ChargebackStatus = (typeof chargebackStatuses)[number];

export type Chargeback = {
  readonly tenantId: TenantId;
  readonly chargebackId: string;
  readonly transactionId: string;
  readonly version: number;
  readonly status: ChargebackStatus;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly reasonCode: string;
  readonly initiator: string;
  readonly resolvedBy?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
};

export function chargebackWrite(chargeback: Chargeback, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    transaction_id: chargeback.transactionId,
    status: chargeback.status,
    amount_minor: chargeback.amountMinor.toString(),
    currency: chargeback.currency,
    reason_code: chargeback.reasonCode,
    initiator: chargeback.initiator,
    resolved_by: chargeback.resolvedBy ?? null,
    created_at: chargeback.createdAt,
    updated_at: chargeback.updatedAt,
  };
  return { kind: chargebackKind, id: chargeback.chargebackId, body, expectedVersion, indexKey: `payment:${chargeback.transactionId}` };
}

export function chargebackFromRecord(record: StoredRecord): Chargeback {
  const body = record.body;
  const status = field(body, 'status', isString);
  invariant((chargebackStatuses as readonly string[]).includes(status), 'chargeback status is damaged');
  const currency = field(body, 'currency', isString);
  invariant(isCurrencyCode(currency), 'chargeback currency is damaged');
  const resolvedBy = body['resolved_by'];
  return {
    tenantId: record.tenantId,
    chargebackId: record.id,
    transactionId: field(body, 'transaction_id', isString),
    version: record.version,
    status: status as ChargebackStatus,
    amountMinor: minorField(body, 'amount_minor'),
    currency,
    reasonCode: field(body, 'reason_code', isString),
    initiator: field(body, 'initiator', isString),
    ...(typeof resolvedBy === 'string' ? { resolvedBy } : {}),
    createdAt: field(body, 'created_at', isNumber),
    updatedAt: field(body, 'updated_at', isNumber),
  };
}

export function chargebackView(chargeback: Chargeback): JsonObject {
  return {
    chargeback_id: chargeback.chargebackId,
    transaction_id: chargeback.transactionId,
    status: chargeback.status,
    amount: formatAmount(chargeback.amountMinor, chargeback.currency),
    currency: chargeback.currency,
    reason_code: chargeback.reasonCode,
    created_at: new Date(chargeback.createdAt).toISOString(),
    updated_at: new Date(chargeback.updatedAt).toISOString(),
  };
}
