// The refund requery job (R5): refunds left pending by a lost reply, an unknown answer or
// a crash are asked about again, never guessed. A status query first (by the processor's
// reference for the refund, or by our refund key when no reply ever came); only when the
// processor has never heard of the refund is it sent again, under the same idempotency
// key, so the customer cannot be paid twice. After `requeryAttemptsMax` tries the refund
// stays pending and is reported as escalated for a person to look at.
import type { Dependencies } from '../dependencies.ts';
import { visitLongestWaiting } from '../shared/visit-indexed.ts';
import { noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { paymentFromRecord, paymentKind } from '../payments/payment-record.ts';
import { pendingRefundIndexKey, refundFromRecord, refundKind, type Refund } from './refund-record.ts';
import { applyRefundAnswer, queryRefund, sendRefund } from './settle-refund.ts';

export const refundRequeryBatchMax = 100;
const jobInitiator = 'system:requery';

export type RefundRequeryReport = { examined: number; settled: number; stillPending: number; escalated: number } & ItemErrors;

export async function requeryPendingRefunds(deps: Dependencies, options: { limit?: number } = {}): Promise<RefundRequeryReport> {
  const report: RefundRequeryReport = { examined: 0, settled: 0, stillPending: 0, escalated: 0, ...noItemErrors() };
  const limit = Math.min(options.limit ?? refundRequeryBatchMax, refundRequeryBatchMax);
  // The refunds that have waited longest since their last try go first, in every tenant: when
  // runs come further apart than the delay, the same first refunds would otherwise be due on
  // every run and those after them would wait until these escalate.
  // Each refund on its own: one that cannot be read or settled is counted and left pending
  // for the next run, and the job goes on with the refunds after it. Every escalated refund
  // on the list is counted, whether or not this run reaches its limit.
  await visitLongestWaiting(deps.store, { kind: refundKind, indexKey: pendingRefundIndexKey, limit }, report, (record) => {
    const refund = refundFromRecord(record);
    if (refund.requeryAttempts >= deps.settings.requeryAttemptsMax) {
      report.escalated++;
      return null;
    }
    const dueAt = refund.updatedAt + deps.settings.requeryDelayMs;
    return dueAt <= deps.clock.now() ? { dueAt, item: refund } : null;
  }, async (refund) => {
    report.examined++;
    await requeryOne(deps, refund, report);
  });
  return report;
}

async function requeryOne(deps: Dependencies, refund: Refund, report: RefundRequeryReport): Promise<void> {
  const paymentRecord = await deps.store.getRecord(refund.tenantId, paymentKind, refund.transactionId);
  if (paymentRecord === null) return;
  const payment = paymentFromRecord(paymentRecord);
  let answer = await queryRefund(deps, refund, payment);
  if (answer === null || answer.outcome.code === 'not_found') answer = await sendRefund(deps, refund, payment);
  const settled = await applyRefundAnswer(deps, refund, answer, { countsAsRequery: true, initiator: jobInitiator });
  if (!settled.ok) return;
  if (settled.value.status === 'REFUND-PENDING') report.stillPending++;
  else report.settled++;
}
