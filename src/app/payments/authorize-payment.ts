// Asks the processor to authorize a pending payment and commits what it answered.
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import type { CardProcessor } from '../ports/card-processor.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { askProcessor, paymentIdempotencyKey, type Answer } from './ask-processor.ts';
import type { CardDetails } from '../ports/card-processor.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment } from './payment-record.ts';
import { withFirstReply } from './payment-view.ts';
import { settlementFor, type SettlementOptions } from './settle-payment.ts';
import { isFinal } from '../../domain/payments/payment-status.ts';
import { invariant } from '../../domain/invariant.ts';

/** What committing an answer did; `refused` says why the journal refused its lines. */
export type Applied = { readonly payment: Payment; readonly refused?: string };

export async function authorizeAndSettle(
  deps: Dependencies,
  payment: Payment,
  processor: CardProcessor,
  card: CardDetails,
  initiator: string,
): Promise<Result<Payment, 'conflict'>> {
  const answer = await askProcessor(deps, processor, payment, (target, signal) => target.authorize({
    idempotencyKey: paymentIdempotencyKey(payment.tenantId, payment.transactionId),
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    card,
  }, signal));
  const applied = await applyAnswer(deps, payment, answer, { initiator, finalOnError: true, countsAsRequery: false });
  if (!applied.ok) return applied;
  return ok(applied.value.payment);
}

/**
 * Commits an answer unless the payment was settled meanwhile (by the requery job). When
 * the journal refuses the outcome's lines (an account that may not go negative), the
 * processor may already have charged the card: the payment stays pending with the answer
 * kept, for the requery job to escalate — never a refusal that reads as "not charged".
 */
export async function applyAnswer(
  deps: Dependencies,
  payment: Payment,
  answer: Answer,
  options: Omit<SettlementOptions, 'refused'>,
): Promise<Result<Applied, 'conflict'>> {
  const settled = await commitAnswer(deps, payment, answer, options);
  if (settled.ok) return ok({ payment: settled.value });
  if (settled.code === 'conflict') return refuse('conflict', undefined, settled.detail);
  const refused = settled.detail ?? 'a balance limit';
  const kept = await commitAnswer(deps, payment, answer, { ...options, refused });
  if (!kept.ok) {
    invariant(kept.code === 'conflict', 'keeping a refused answer moves no money');
    return refuse('conflict', undefined, kept.detail);
  }
  return ok({ payment: kept.value, ...(isFinal(kept.value.status) ? {} : { refused }) });
}

function commitAnswer(
  deps: Dependencies, payment: Payment, answer: Answer, options: SettlementOptions,
): Promise<Result<Payment, 'conflict' | 'insufficient_funds'>> {
  return decideAndCommit<Payment, never>(deps.store, async (): Promise<Decision<Payment, never>> => {
    const record = await deps.store.getRecord(payment.tenantId, paymentKind, payment.transactionId);
    invariant(record !== null, `payment ${payment.transactionId} vanished`);
    const current = paymentFromRecord(record);
    if (isFinal(current.status)) {
      // Settled meanwhile by the requery job: the creating request still owes its caller
      // a first reply, which is then remembered for replays.
      if (options.countsAsRequery || current.firstReply !== undefined) return { ok: true, changeset: null, value: current };
      const withReply = withFirstReply(current);
      return { ok: true, value: withReply, changeset: { tenantId: current.tenantId, at: deps.clock.now(), records: [paymentWrite(withReply, current.version)] } };
    }
    const settlement = await settlementFor(deps, current, answer.outcome, answer.rawReply, options);
    return { ok: true, changeset: settlement.changeset, value: settlement.payment };
  });
}
