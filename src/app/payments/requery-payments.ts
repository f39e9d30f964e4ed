// The requery job (P2, DESIGN "Background work"): payments left pending by a timeout, an
// unknown answer or a crash are asked about again, never guessed: a status query first
// (by processor reference, or by our idempotency key when no reply ever came); only when
// the processor has never heard of the payment (the crash came before the call) is the
// authorization sent again, under the same idempotency key, so it cannot charge twice. After `requeryAttemptsMax` tries the payment stays pending and is
// escalated for a person to look at; so is, at once, a payment whose answer the journal
// refused to post. Safe to run twice at once: settling is a versioned commit, so the
// second finds the payment settled.
import { invariant } from '../../domain/invariant.ts';
import { decideAndCommit } from '../shared/commit.ts';
import { visitLongestWaiting } from '../shared/visit-indexed.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { askProcessor, paymentIdempotencyKey, type Answer } from './ask-processor.ts';
import { applyAnswer } from './authorize-payment.ts';
import { openCard } from './card-input.ts';
import { paymentFromRecord, paymentKind, paymentWrite, pendingIndexKey, type Payment } from './payment-record.ts';

export const requeryBatchMax = 100;
const jobInitiator = 'system:requery';

export type RequeryReport = {
  examined: number; settled: number; stillPending: number; escalated: number;
  /** Payments the processor answered for whose journal lines were refused (escalated at once). */
  refused: number;
} & ItemErrors;

export async function requeryPendingPayments(deps: Dependencies, options: { limit?: number } = {}): Promise<RequeryReport> {
  const report: RequeryReport = { examined: 0, settled: 0, stillPending: 0, escalated: 0, refused: 0, ...noItemErrors() };
  const limit = Math.min(options.limit ?? requeryBatchMax, requeryBatchMax);
  // The payments that have waited longest since their last try go first, in every tenant:
  // when runs come further apart than the delay, the same first payments would otherwise be
  // due on every run and those after them would wait until these escalate.
  // Each payment on its own: one that cannot be read or settled must not stop the job for
  // every payment listed after it, in every tenant, on every run.
  await visitLongestWaiting(deps.store, { kind: paymentKind, indexKey: pendingIndexKey, limit }, report, (record) => {
    const payment = paymentFromRecord(record);
    const dueAt = payment.updatedAt + deps.settings.requeryDelayMs;
    return payment.escalated || dueAt > deps.clock.now() ? null : { dueAt, item: payment };
  }, async (payment) => {
    report.examined++;
    await requeryOne(deps, payment, report);
  });
  return report;
}

async function requeryOne(deps: Dependencies, payment: Payment, report: RequeryReport): Promise<void> {
  const processor = deps.processors.get(payment.processorId);
  if (processor === undefined) return;
  const idempotencyKey = paymentIdempotencyKey(payment.tenantId, payment.transactionId);
  const reference = payment.processor.reference;
  // Status query first; only a processor that never heard of the payment is asked again.
  let answer: Answer = await askProcessor(deps, processor, payment, (target, signal) =>
    target.query({ idempotencyKey, amountMinor: payment.amountMinor, currency: payment.currency, ...(reference === undefined ? {} : { processorReference: reference }) }, signal));
  let statusQuery = true;
  if (answer.outcome.code === 'not_found') {
    const card = await openCard(deps, payment);
    answer = await askProcessor(deps, processor, payment, (target, signal) =>
      target.authorize({ idempotencyKey, amountMinor: payment.amountMinor, currency: payment.currency, card }, signal));
    statusQuery = false;
  }
  // Only the re-sent authorization may fail the payment on an error; an error answering the
  // status query leaves it pending (counted, escalated at the limit).
  const applied = await applyAnswer(deps, payment, answer, { initiator: jobInitiator, finalOnError: false, countsAsRequery: true, statusQuery });
  if (!applied.ok) {
    // Too many concurrent changes: the next run asks again.
    report.stillPending++;
    return;
  }
  const settled = applied.value.payment;
  if (settled.status !== 'PAYMENT-PENDING') {
    report.settled++;
    return;
  }
  report.stillPending++;
  if (applied.value.refused !== undefined) {
    // The processor answered, but the journal refused the lines: asking again changes nothing
    // the processor knows, and the card may be charged. A person must look now.
    report.refused++;
    await escalate(deps, settled, `the processor answered ${settled.processor.outcome} but the journal refused the lines: ${applied.value.refused}`);
    report.escalated++;
    return;
  }
  if (settled.requeryAttempts >= deps.settings.requeryAttemptsMax) {
    await escalate(deps, settled, `no definite answer after ${settled.requeryAttempts} status queries`);
    report.escalated++;
  }
}

async function escalate(deps: Dependencies, payment: Payment, reason: string): Promise<void> {
  const escalated = await decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(payment.tenantId, paymentKind, payment.transactionId);
    const current = record === null ? null : paymentFromRecord(record);
    if (current === null || current.status !== 'PAYMENT-PENDING' || current.escalated) return { ok: true, changeset: null, value: null };
    const at = deps.clock.now();
    const audit = await buildAuditEntry(deps, current.tenantId, at, {
      stream: `txn:${current.transactionId}`, action: 'payment.escalated', initiator: jobInitiator,
      transactionId: current.transactionId, status: current.status,
      reason,
    });
    return {
      ok: true,
      value: null,
      changeset: {
        tenantId: current.tenantId, at,
        records: [paymentWrite({ ...current, version: current.version + 1, escalated: true, updatedAt: at }, current.version)],
        audit: [audit],
      },
    };
  });
  invariant(escalated.ok, `escalation of ${payment.transactionId} was refused`);
}
