// Asks the processor to authorize a pending payment and commits what it answered.
import { ok, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import type { CardProcessor } from '../ports/card-processor.ts';
import { decideAndCommit } from '../shared/commit.ts';
import { askProcessor, paymentIdempotencyKey, type Answer } from './ask-processor.ts';
import type { CardDetails } from '../ports/card-processor.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment } from './payment-record.ts';
import { paymentCreatedReply } from './payment-view.ts';
import { settlementFor } from './settle-payment.ts';
import { isFinal } from '../../domain/payments/payment-status.ts';
import { invariant } from '../../domain/invariant.ts';

export async function authorizeAndSettle(
  deps: Dependencies,
  payment: Payment,
  processor: CardProcessor,
  card: CardDetails,
  initiator: string,
): Promise<Result<Payment, 'conflict' | 'insufficient_funds'>> {
  const answer = await askProcessor(deps, processor, payment, (target, signal) => target.authorize({
    idempotencyKey: paymentIdempotencyKey(payment.tenantId, payment.transactionId),
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    card,
  }, signal));
  return applyAnswer(deps, payment, answer, { initiator, finalOnError: true, countsAsRequery: false });
}

/** Commits an answer unless the payment was settled meanwhile (by the requery job). */
export async function applyAnswer(
  deps: Dependencies,
  payment: Payment,
  answer: Answer,
  options: { initiator: string; finalOnError: boolean; countsAsRequery: boolean },
): Promise<Result<Payment, 'conflict' | 'insufficient_funds'>> {
  const settled = await decideAndCommit<Payment, never>(deps.store, async () => {
    const record = await deps.store.getRecord(payment.tenantId, paymentKind, payment.transactionId);
    invariant(record !== null, `payment ${payment.transactionId} vanished`);
    const current = paymentFromRecord(record);
    if (isFinal(current.status)) {
      // Settled meanwhile by the requery job: the creating request still owes its caller
      // a first reply, which is then remembered for replays.
      if (options.countsAsRequery || current.firstReply !== undefined) return { ok: true, changeset: null, value: current };
      const reply = paymentCreatedReply(current);
      const withReply: Payment = { ...current, version: current.version + 1, firstReply: { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body) } };
      return { ok: true, value: withReply, changeset: { tenantId: current.tenantId, at: deps.clock.now(), records: [paymentWrite(withReply, current.version)] } };
    }
    const settlement = await settlementFor(deps, current, answer.outcome, answer.rawReply, options);
    return { ok: true, changeset: settlement.changeset, value: settlement.payment };
  });
  if (!settled.ok) return settled;
  return ok(settled.value);
}
