// How a refund looks on the wire: the seed-001 body (message, refund_transaction_id,
// status, processor_message) plus the refund itself.
import { formatAmount } from '../../domain/money/money.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import type { Refund, RefundStatus } from './refund-record.ts';

const wireStatus: Readonly<Record<RefundStatus, string>> = {
  'REFUND-PENDING': 'pending',
  'REFUND-SUCCESS': 'success',
  'REFUND-FAILED': 'failed',
  'REFUND-ROLLED-BACK': 'rolled_back',
};

export function refundView(refund: Refund): JsonObject {
  const format = (amountMinor: bigint): string => formatAmount(amountMinor, refund.currency);
  return {
    refund_transaction_id: refund.refundId,
    transaction_id: refund.transactionId,
    status: wireStatus[refund.status],
    ledger_status: refund.status,
    amount: format(refund.amountMinor),
    currency: refund.currency,
    // For a payment settled in another currency, fees and taxes live in that currency.
    tax_returned: formatAmount(refund.taxMinor, refund.settlement?.currency ?? refund.currency),
    fee_returned: formatAmount(refund.feeMinor, refund.settlement?.currency ?? refund.currency),
    settlement: refund.settlement === undefined ? null : {
      currency: refund.settlement.currency, amount: formatAmount(refund.settlement.amountMinor, refund.settlement.currency), rate: refund.settlement.rate,
    },
    reason: refund.reason,
    initiator: refund.initiator,
    processor: {
      outcome: refund.processor.outcome,
      code: refund.processor.code,
      message: refund.processor.message,
      reference: refund.processor.reference ?? null,
    },
    ...(refund.rollback === undefined ? {} : {
      rollback: { reason: refund.rollback.reason, approver: refund.rollback.approver, at: new Date(refund.rollback.at).toISOString() },
    }),
    created_at: new Date(refund.createdAt).toISOString(),
    updated_at: new Date(refund.updatedAt).toISOString(),
  };
}

/** The reply to the request that asked for the refund (R5, seed 001). */
export function refundRequestReply(refund: Refund): Reply {
  const common = {
    refund_transaction_id: refund.refundId,
    status: wireStatus[refund.status],
    processor_message: refund.processor.message,
    refund: refundView(refund),
  };
  switch (refund.status) {
    case 'REFUND-SUCCESS':
    case 'REFUND-ROLLED-BACK':
      return { statusCode: 200, body: { message: 'Refund processed successfully.', ...common } };
    case 'REFUND-PENDING':
      return { statusCode: 202, body: { message: 'Refund is pending at the processor; a status query will settle it.', ...common } };
    case 'REFUND-FAILED':
      return {
        statusCode: 502,
        body: {
          message: 'Refund declined by processor.',
          ...common,
          error: { code: refund.processor.outcome === 'error' ? 'processor_error' : 'processor_declined', detail: refund.processor.message },
        },
      };
  }
}
