// Whether a refund may be made (R2), as a table of rules in the order their refusals take
// precedence: the first rule that refuses names the reason.
import type { PaymentStatus } from '../payments/payment-status.ts';
import { ok, refuse, type Result } from '../result.ts';

export const refundWindowDaysDefault = 180;
const dayMs = 86_400_000;

export type RefundRefusal =
  | 'payment_not_settled'
  | 'payment_failed'
  | 'already_refunded'
  | 'chargeback_open'
  | 'refund_window_closed'
  | 'refund_currency_mismatch'
  | 'refund_exceeds_remaining';

export type RefundCandidate = {
  readonly status: PaymentStatus;
  readonly currency: string;
  readonly capturedAt: number | null;
  readonly capturedMinor: bigint;
  /** Refunded, plus held for refunds still pending at the processor, plus chargebacks lost. */
  readonly unavailableMinor: bigint;
  readonly openChargebacks: number;
};

export type RefundAsk = {
  /** null: refund all that remains. */
  readonly amountMinor: bigint | null;
  readonly currency: string | null;
  readonly now: number;
  readonly windowDays: number;
};

type Rule = (candidate: RefundCandidate, ask: RefundAsk) => Result<null, RefundRefusal>;

export function remainingRefundable(candidate: RefundCandidate): bigint {
  return candidate.capturedMinor - candidate.unavailableMinor;
}

export const refundRules: readonly Rule[] = [
  (candidate) => candidate.status === 'PAYMENT-INITIATED' || candidate.status === 'PAYMENT-PENDING'
    ? refuse('payment_not_settled', 'transaction_id', 'the payment is still pending at the processor')
    : ok(null),
  (candidate) => candidate.status === 'PAYMENT-FAILED' ? refuse('payment_failed', 'transaction_id', 'a failed payment has nothing to refund') : ok(null),
  (candidate) => candidate.status === 'REFUNDED' || remainingRefundable(candidate) <= 0n
    ? refuse('already_refunded', 'transaction_id', 'nothing remains to refund')
    : ok(null),
  (candidate) => candidate.openChargebacks > 0 ? refuse('chargeback_open', 'transaction_id', 'a chargeback is open on this payment') : ok(null),
  (candidate, ask) => candidate.capturedAt !== null && ask.now - candidate.capturedAt > ask.windowDays * dayMs
    ? refuse('refund_window_closed', 'transaction_id', `refunds are possible for ${ask.windowDays} days after capture`)
    : ok(null),
  (candidate, ask) => ask.currency !== null && ask.currency !== candidate.currency
    ? refuse('refund_currency_mismatch', 'currency', `the payment was made in ${candidate.currency}`)
    : ok(null),
  (candidate, ask) => ask.amountMinor !== null && ask.amountMinor > remainingRefundable(candidate)
    ? refuse('refund_exceeds_remaining', 'amount', 'the amount is more than remains refundable')
    : ok(null),
];

/** The amount to refund, or the first refusal in order of precedence. */
export function decideRefundAmount(candidate: RefundCandidate, ask: RefundAsk): Result<bigint, RefundRefusal> {
  for (const rule of refundRules) {
    const verdict = rule(candidate, ask);
    if (!verdict.ok) return verdict;
  }
  return ok(ask.amountMinor ?? remainingRefundable(candidate));
}
