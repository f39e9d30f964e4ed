// Applies a processor's normalized outcome to a pending payment (P2, P4): success posts
// the journal lines, a decline or a final error fails the payment, an unknown outcome
// leaves it pending for the requery job. Used by the request that created the payment
// and by the requery job; whichever commits first wins, the other finds it settled.
import type { TransferId } from '../../domain/ids.ts';
import { invariant, unreachable } from '../../domain/invariant.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { capturedPaymentTransfers } from '../../domain/payments/payment-journal.ts';
import type { PaymentStatus } from '../../domain/payments/payment-status.ts';
import { canTransition } from '../../domain/payments/payment-status.ts';
import type { ProcessorOutcome } from '../../domain/processors/outcome.ts';
import type { SealedEnvelope } from '../../domain/crypto/envelope.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { Changeset, LedgerEntryWrite } from '../ports/store.ts';
import type { Payment, ProcessorState } from './payment-record.ts';
import { paymentWrite } from './payment-record.ts';
import { paymentCreatedReply } from './payment-view.ts';
import { fxSystemAccounts, paymentSystemAccounts } from './system-accounts.ts';
import { fxView, settlementCharges } from './fx-settlement.ts';

export type Settlement = { readonly payment: Payment; readonly changeset: Changeset };

/**
 * Which status an outcome leads to; null keeps the payment pending. An error answering a
 * status query (credentials refused, the query malformed) is the query failing, not the
 * sale: it says nothing about whether the card was charged, so it never fails the payment.
 */
export function statusAfter(outcome: ProcessorOutcome, finalOnError: boolean, statusQuery = false): PaymentStatus | null {
  switch (outcome.kind) {
    case 'approved':
      return 'PAYMENT-SUCCESS';
    case 'declined':
      return 'PAYMENT-FAILED';
    case 'error':
      if (statusQuery) return null;
      return finalOnError || !outcome.retryable ? 'PAYMENT-FAILED' : null;
    case 'pending':
      return null;
  }
  return unreachable(outcome.kind);
}

function processorState(outcome: ProcessorOutcome, rawReply: SealedEnvelope | null, previous: ProcessorState): ProcessorState {
  const reference = outcome.processorReference ?? previous.reference;
  return {
    outcome: outcome.kind,
    code: outcome.code,
    message: outcome.message,
    ...(reference === undefined ? {} : { reference }),
    ...(rawReply === null ? {} : { rawReply }),
  };
}

export type SettlementOptions = {
  readonly initiator: string;
  readonly finalOnError: boolean;
  readonly countsAsRequery: boolean;
  /** The answer is to a status query, not to the authorization itself. */
  readonly statusQuery?: boolean;
  /** Why the journal refused the lines of this outcome; the payment then stays pending. */
  readonly refused?: string;
};

export async function settlementFor(
  deps: Dependencies,
  payment: Payment,
  outcome: ProcessorOutcome,
  rawReply: SealedEnvelope | null,
  options: SettlementOptions,
): Promise<Settlement> {
  const at = deps.clock.now();
  // A refused journal commit keeps the payment pending, with the processor's answer kept.
  const next = options.refused === undefined ? statusAfter(outcome, options.finalOnError, options.statusQuery === true) : null;
  invariant(next === null || canTransition(payment.status, next), `payment ${payment.transactionId}: ${payment.status} → ${next ?? 'pending'}`);
  const transfers = next === 'PAYMENT-SUCCESS' ? successTransfers(deps, payment) : [];
  let settled: Payment = {
    ...payment,
    version: payment.version + 1,
    status: next ?? payment.status,
    processor: processorState(outcome, rawReply, payment.processor),
    requeryAttempts: payment.requeryAttempts + (options.countsAsRequery ? 1 : 0),
    ledgerSequence: payment.ledgerSequence + (next === null ? 0 : 1),
    capturedMinor: next === 'PAYMENT-SUCCESS' ? payment.amountMinor : payment.capturedMinor,
    capturedAt: next === 'PAYMENT-SUCCESS' ? at : payment.capturedAt,
    updatedAt: at,
  };
  if (settled.firstReply === undefined && !options.countsAsRequery) {
    const reply = paymentCreatedReply(settled);
    settled = { ...settled, firstReply: { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body) } };
  }
  const entries: LedgerEntryWrite[] = next === null ? [] : [{
    transactionId: payment.transactionId,
    sequence: settled.ledgerSequence,
    status: next,
    at,
    transferIds: transfers.map((transfer) => transfer.id),
    details: {
      processor_outcome: outcome.kind, processor_code: outcome.code, processor_message: outcome.message,
      ...(next === 'PAYMENT-SUCCESS' && payment.settlement !== undefined ? {
        amount: formatAmount(payment.amountMinor, payment.currency), currency: payment.currency,
        settlement: fxView(payment.settlement, formatAmount),
      } : {}),
    },
  }];
  const audit = await buildAuditEntry(deps, payment.tenantId, at, {
    stream: `txn:${payment.transactionId}`,
    action: options.refused !== undefined ? 'payment.settlement_refused'
      : next === 'PAYMENT-SUCCESS' ? 'payment.succeeded' : next === 'PAYMENT-FAILED' ? 'payment.failed' : 'payment.still_pending',
    initiator: options.initiator,
    transactionId: payment.transactionId,
    amount: formatAmount(payment.amountMinor, payment.currency),
    currency: payment.currency,
    status: next ?? payment.status,
    reason: options.refused === undefined ? outcome.message : `the processor answered ${outcome.kind} but the journal refused the lines: ${options.refused}`,
    details: { response: { outcome: outcome.kind, code: outcome.code, message: outcome.message, retryable: outcome.retryable } },
  });
  return {
    payment: settled,
    changeset: {
      tenantId: payment.tenantId,
      at,
      transfers,
      ledgerEntries: entries,
      records: [paymentWrite(settled, payment.version)],
      audit: [audit],
    },
  };
}

function successTransfers(deps: Dependencies, payment: Payment): ReturnType<typeof capturedPaymentTransfers> {
  const { settlement } = payment;
  const system = paymentSystemAccounts(payment.tenantId, settlement?.currency ?? payment.currency, payment.processorId);
  const clearing = paymentSystemAccounts(payment.tenantId, payment.currency, payment.processorId).clearing;
  const base = deps.ids.next('trf');
  const fx = settlement === undefined ? undefined : fxSystemAccounts(payment.tenantId, payment.currency, settlement.currency);
  return capturedPaymentTransfers({
    transactionId: payment.transactionId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    ...(settlement === undefined || fx === undefined ? {} : {
      settlement: {
        currency: settlement.currency, amountMinor: settlement.amountMinor, charges: settlementCharges(payment.charges, payment.currency, settlement),
        fxPayment: fx.fxPayment.id, fxSettlement: fx.fxSettlement.id,
      },
    }),
    accounts: {
      clearing: clearing.id,
      merchant: payment.merchantAccountId,
      feeRevenue: system.feeRevenue.id,
      taxPayable: system.taxPayable.id,
      ...(payment.customerAccountId === undefined ? {} : { customer: payment.customerAccountId }),
    },
    charges: payment.charges,
    transferId: (index) => `${base}.${index}` as TransferId,
  });
}
