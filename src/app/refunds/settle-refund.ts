// Asks the processor for a held refund and commits its answer (R5): approval posts the
// holds and appends the refund's own PAYMENT-SUCCESS entry; a decline voids the holds and
// keeps the processor's reason and code (the refund is FAILED, never deleted); no answer
// leaves it pending for the requery job. The processor sees an idempotency key derived
// from the refund id, so asking again after a crash can never pay the customer twice.
// Whoever commits first (the request or the requery job) wins; the other finds it settled.
import type { TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { formatAmount } from '../../domain/money/money.ts';
import type { ProcessorOutcome } from '../../domain/processors/outcome.ts';
import { ok, type Result } from '../../domain/result.ts';
import { resolveHold } from '../../domain/refunds/refund-journal.ts';
import type { Transfer, TransferWrite } from '../../domain/journal/transfers.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { Changeset, LedgerEntryWrite, RecordWrite } from '../ports/store.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { KeyedLock } from '../shared/keyed-lock.ts';
import { askProcessor, type Answer } from '../payments/ask-processor.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment, type ProcessorState } from '../payments/payment-record.ts';
import { holdIds, refundFromRecord, refundKind, refundWrite, type Refund, type RefundStatus } from './refund-record.ts';
import { releasedSettlement } from './refund-lines.ts';
import { refundRequestReply } from './refund-view.ts';

/** Work on one payment's refunds is queued in this process (see request-refund.ts). */
export const paymentLocks = new KeyedLock();

export function paymentLockKey(payment: Pick<Payment, 'tenantId' | 'transactionId'>): string {
  return `${payment.tenantId}/${payment.transactionId}`;
}

/** The key the processor sees for every call about one refund. */
export function refundIdempotencyKey(refund: Pick<Refund, 'tenantId' | 'refundId'>): string {
  return `contra:${refund.tenantId}:refund:${refund.refundId}`;
}

export type SettleOptions = { readonly countsAsRequery: boolean; readonly initiator: string };

/**
 * Sends the refund to the processor unless it is settled already. A refund resumed after
 * its first request died (`resumed`) may have been sent already: it is sent again under the
 * same key only to a processor that deduplicates requests; any other is asked for its status
 * instead, and the refund stays pending (for the requery job, then a person) if it cannot say.
 */
export async function askForRefund(
  deps: Dependencies, refund: Refund, payment: Payment, options: SettleOptions & { readonly resumed: boolean },
): Promise<Result<Refund, 'conflict' | 'insufficient_funds'>> {
  if (refund.status !== 'REFUND-PENDING') return applyRefundAnswer(deps, refund, null, options);
  const resendable = deps.processors.get(payment.processorId)?.deduplicatesRequests ?? true;
  const answer = options.resumed && !resendable ? await queryRefund(deps, refund, payment) : await sendRefund(deps, refund, payment);
  return applyRefundAnswer(deps, refund, answer, options);
}

/** Asks the processor what became of the refund; null when the payment's processor is not configured here. */
export async function queryRefund(deps: Dependencies, refund: Refund, payment: Payment): Promise<Answer | null> {
  const processor = deps.processors.get(payment.processorId);
  if (processor === undefined) return null;
  const reference = refund.processor.reference;
  return askProcessor(deps, processor, { tenantId: refund.tenantId, transactionId: refund.refundId }, (target, signal) =>
    target.query({
      idempotencyKey: refundIdempotencyKey(refund), amountMinor: refund.amountMinor, currency: refund.currency,
      ...(reference === undefined ? {} : { processorReference: reference }),
    }, signal));
}

export async function sendRefund(deps: Dependencies, refund: Refund, payment: Payment): Promise<Answer> {
  const processor = deps.processors.get(payment.processorId);
  const reference = payment.processor.reference;
  if (processor === undefined) {
    return { rawReply: null, outcome: { kind: 'pending', code: 'processor_unavailable', message: `Processor ${payment.processorId} is not configured here; the refund stays pending.`, retryable: true } };
  }
  if (reference === undefined) {
    return { rawReply: null, outcome: { kind: 'error', code: 'invalid_reference', message: 'The payment has no processor reference to refund against.', retryable: false } };
  }
  return askProcessor(deps, processor, { tenantId: refund.tenantId, transactionId: refund.refundId }, (target, signal) => target.refund({
    idempotencyKey: refundIdempotencyKey(refund),
    processorReference: reference,
    amountMinor: refund.amountMinor,
    currency: refund.currency,
  }, signal));
}

/** Which status an outcome leads to; null keeps the refund pending. */
export function refundStatusAfter(outcome: ProcessorOutcome): Extract<RefundStatus, 'REFUND-SUCCESS' | 'REFUND-FAILED'> | null {
  if (outcome.kind === 'approved') return 'REFUND-SUCCESS';
  if (outcome.kind === 'declined' || (outcome.kind === 'error' && !outcome.retryable)) return 'REFUND-FAILED';
  return null;
}

/** Commits an answer (null: none was needed) to the refund as it is now in the store. */
export async function applyRefundAnswer(deps: Dependencies, refund: Refund, answer: Answer | null, options: SettleOptions): Promise<Result<Refund, 'conflict' | 'insufficient_funds'>> {
  const settled = await paymentLocks.run(paymentLockKey(refund), () => decideAndCommit<Refund, never>(deps.store, async () => {
    const record = await deps.store.getRecord(refund.tenantId, refundKind, refund.refundId);
    invariant(record !== null, `refund ${refund.refundId} vanished`);
    const current = refundFromRecord(record);
    if (current.status !== 'REFUND-PENDING' || answer === null) return rememberFirstReply(deps, current, options);
    const paymentRecord = await deps.store.getRecord(refund.tenantId, paymentKind, refund.transactionId);
    invariant(paymentRecord !== null, `payment ${refund.transactionId} vanished`);
    return settlementFor(deps, current, paymentFromRecord(paymentRecord), answer, options);
  }));
  return settled.ok ? ok(settled.value) : settled;
}

function withFirstReply(refund: Refund): Refund {
  const reply = refundRequestReply(refund);
  return { ...refund, firstReply: { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body) } };
}

/** Settled meanwhile by the requery job: the asking request still owes its caller a first reply. */
function rememberFirstReply(deps: Dependencies, refund: Refund, options: SettleOptions): Decision<Refund, never> {
  if (options.countsAsRequery || refund.firstReply !== undefined) return { ok: true, changeset: null, value: refund };
  const remembered = withFirstReply({ ...refund, version: refund.version + 1 });
  return { ok: true, value: remembered, changeset: { tenantId: refund.tenantId, at: deps.clock.now(), records: [refundWrite(remembered, refund.version)] } };
}

function processorState(outcome: ProcessorOutcome, answer: Answer, previous: ProcessorState): ProcessorState {
  const reference = outcome.processorReference ?? previous.reference;
  return {
    outcome: outcome.kind, code: outcome.code, message: outcome.message,
    ...(reference === undefined ? {} : { reference }),
    ...(answer.rawReply === null ? {} : { rawReply: answer.rawReply }),
  };
}

async function resolveHolds(deps: Dependencies, refund: Refund, kind: 'post_pending' | 'void_pending'): Promise<TransferWrite[]> {
  const ids = holdIds(refund.holds);
  const holds = await Promise.all(ids.map((id) => deps.store.getTransfer(refund.tenantId, id)));
  const base = deps.ids.next('trf');
  return holds.map((hold: Transfer | null, index) => {
    invariant(hold !== null, `refund ${refund.refundId}: hold ${ids[index] ?? '?'} vanished`);
    return resolveHold(hold, kind, `${base}.${index + 1}` as TransferId);
  });
}

/** The payment after a refund settles: what was held becomes refunded, or is released. */
export function paymentAfterRefund(payment: Payment, refund: Refund, next: 'REFUND-SUCCESS' | 'REFUND-FAILED', at: number): Payment {
  const base = { ...payment, version: payment.version + 1, updatedAt: at, refundsHeldMinor: payment.refundsHeldMinor - refund.amountMinor };
  if (next === 'REFUND-FAILED') {
    return {
      ...base, ...releasedSettlement(payment, refund),
      feesReturnedMinor: payment.feesReturnedMinor - refund.feeMinor, taxesReturnedMinor: payment.taxesReturnedMinor - refund.taxMinor,
    };
  }
  const refundedMinor = payment.refundedMinor + refund.amountMinor;
  const whole = refundedMinor + payment.chargebacksLostMinor >= payment.capturedMinor;
  return { ...base, refundedMinor, status: whole ? 'REFUNDED' : 'PARTIALLY-REFUNDED', ledgerSequence: payment.ledgerSequence + 1 };
}

async function settlementFor(deps: Dependencies, refund: Refund, payment: Payment, answer: Answer, options: SettleOptions): Promise<Decision<Refund, never>> {
  const at = deps.clock.now();
  const { outcome } = answer;
  const next = refundStatusAfter(outcome);
  let settled: Refund = {
    ...refund, version: refund.version + 1, status: next ?? refund.status, updatedAt: at,
    processor: processorState(outcome, answer, refund.processor),
    requeryAttempts: refund.requeryAttempts + (options.countsAsRequery ? 1 : 0),
    ledgerSequence: refund.ledgerSequence + (next === null ? 0 : 1),
  };
  if (settled.firstReply === undefined && !options.countsAsRequery) settled = withFirstReply(settled);
  const transfers = next === null ? [] : await resolveHolds(deps, refund, next === 'REFUND-SUCCESS' ? 'post_pending' : 'void_pending');
  const updatedPayment = next === null ? null : paymentAfterRefund(payment, refund, next, at);
  const amount = formatAmount(refund.amountMinor, refund.currency);
  const entries: LedgerEntryWrite[] = next === null ? [] : [{
    transactionId: refund.refundId, sequence: settled.ledgerSequence, status: next === 'REFUND-SUCCESS' ? 'PAYMENT-SUCCESS' : 'PAYMENT-FAILED', at,
    transferIds: transfers.map((transfer) => transfer.id),
    details: { original_transaction_id: refund.transactionId, amount, processor_outcome: outcome.kind, processor_code: outcome.code, processor_message: outcome.message },
  }];
  if (updatedPayment !== null && updatedPayment.ledgerSequence !== payment.ledgerSequence) {
    entries.push({ transactionId: payment.transactionId, sequence: updatedPayment.ledgerSequence, status: updatedPayment.status, at, transferIds: [], details: { refund_transaction_id: refund.refundId, amount } });
  }
  const audit = await buildAuditEntry(deps, refund.tenantId, at, {
    stream: `txn:${refund.transactionId}`,
    action: next === 'REFUND-SUCCESS' ? 'refund.succeeded' : next === 'REFUND-FAILED' ? 'refund.failed' : 'refund.still_pending',
    initiator: options.initiator, transactionId: refund.transactionId, refundId: refund.refundId,
    amount, currency: refund.currency, status: settled.status, reason: outcome.message,
    details: { response: { outcome: outcome.kind, code: outcome.code, message: outcome.message, retryable: outcome.retryable } },
  });
  const records: RecordWrite[] = [refundWrite(settled, refund.version), ...(updatedPayment === null ? [] : [paymentWrite(updatedPayment, payment.version)])];
  // The status query that uses up the last attempt leaves the refund, its money held, for a
  // person: said once in the trail, as a payment's escalation is.
  const limit = deps.settings.requeryAttemptsMax;
  const escalation = next === null && refund.requeryAttempts < limit && settled.requeryAttempts >= limit
    ? [await buildAuditEntry(deps, refund.tenantId, at, {
      stream: `txn:${refund.transactionId}`, action: 'refund.escalated', initiator: options.initiator, transactionId: refund.transactionId, refundId: refund.refundId,
      amount, currency: refund.currency, status: settled.status,
      reason: `no definite answer after ${settled.requeryAttempts} status queries; the refund stays pending with its money held, for a person to settle with the processor`,
    })]
    : [];
  const changeset: Changeset = { tenantId: refund.tenantId, at, transfers, ledgerEntries: entries, records, audit: [audit, ...escalation] };
  return { ok: true, value: settled, changeset };
}
