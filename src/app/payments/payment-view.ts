// How a payment looks on the wire: the seeds' body shape (message, status, …), card brand
// and last four digits only, never the token or the number.
import { fxView } from './fx-settlement.ts';
import { formatAmount } from '../../domain/money/money.ts';
import type { PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import type { Payment } from './payment-record.ts';

const messages: Readonly<Record<PaymentStatus, string>> = {
  'PAYMENT-INITIATED': 'Payment initiated.',
  'PAYMENT-PENDING': 'Payment is pending at the processor; a status query will settle it.',
  'PAYMENT-SUCCESS': 'Payment processed successfully.',
  'PAYMENT-FAILED': 'Payment failed.',
  'PARTIALLY-REFUNDED': 'Payment partially refunded.',
  REFUNDED: 'Payment refunded.',
};

/**
 * The reply to the request that created the payment. Built later (the request died after
 * the approval and the requery job settled the payment), it still says what the request
 * came to: a payment refunded since was captured, PAYMENT-SUCCESS.
 */
export function paymentCreatedReply(payment: Payment): Reply {
  const pending = payment.status === 'PAYMENT-PENDING' || payment.status === 'PAYMENT-INITIATED';
  const status: PaymentStatus = payment.status === 'PARTIALLY-REFUNDED' || payment.status === 'REFUNDED' ? 'PAYMENT-SUCCESS' : payment.status;
  return {
    statusCode: pending ? 202 : 201,
    body: {
      message: messages[status],
      transaction_id: payment.transactionId,
      status,
      processor_message: payment.processor.message,
      amount: formatAmount(payment.amountMinor, payment.currency),
      currency: payment.currency,
      card: { brand: payment.card.brand, last4: payment.card.last4 },
      ...(status === 'PAYMENT-FAILED'
        ? { failure: { code: payment.processor.code, outcome: payment.processor.outcome } }
        : {}),
    },
  };
}

export function paymentDetailView(payment: Payment): JsonObject {
  const format = (amountMinor: bigint): string => formatAmount(amountMinor, payment.currency);
  const sum = (type: 'fee' | 'tax'): bigint =>
    payment.charges.filter((charge) => charge.type === type).reduce((total, charge) => total + charge.amountMinor, 0n);
  return {
    message: messages[payment.status],
    transaction_id: payment.transactionId,
    status: payment.status,
    amount: format(payment.amountMinor),
    currency: payment.currency,
    captured: format(payment.capturedMinor),
    refunded: format(payment.refundedMinor),
    refundable: format(payment.capturedMinor - payment.refundedMinor - payment.refundsHeldMinor - payment.chargebacksLostMinor),
    refunds_pending: format(payment.refundsHeldMinor),
    chargebacks_lost: format(payment.chargebacksLostMinor),
    open_chargebacks: payment.openChargebacks,
    refund_ids: [...payment.refundIds],
    fees: format(sum('fee')),
    taxes: format(sum('tax')),
    processor_id: payment.processorId,
    processor: {
      outcome: payment.processor.outcome,
      code: payment.processor.code,
      message: payment.processor.message,
      reference: payment.processor.reference ?? null,
    },
    card: { brand: payment.card.brand, last4: payment.card.last4 },
    merchant_account_id: payment.merchantAccountId,
    customer_account_id: payment.customerAccountId ?? null,
    metadata: payment.metadata,
    settlement: payment.settlement === undefined ? null : {
      ...fxView(payment.settlement, formatAmount),
      returned: formatAmount(payment.settlement.movedMinor, payment.settlement.currency),
    },
    created_at: new Date(payment.createdAt).toISOString(),
    updated_at: new Date(payment.updatedAt).toISOString(),
  };
}

/** The payment with the reply to its creating request remembered, replayed byte for byte. */
export function withFirstReply(payment: Payment): Payment {
  const reply = paymentCreatedReply(payment);
  return { ...payment, version: payment.version + 1, firstReply: { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body) } };
}
