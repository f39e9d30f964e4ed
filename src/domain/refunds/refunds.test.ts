// R2–R4: refund eligibility in order of precedence, and the cumulative-floor split of
// fees and taxes whose parts always sum exactly to the whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRefundAmount, type RefundAsk, type RefundCandidate } from './refund-eligibility.ts';
import { splitRefund, type RefundPolicy } from './refund-split.ts';
import { refundHolds, type RefundHoldLines } from './refund-journal.ts';
import type { AccountId, TransferId } from '../ids.ts';
import type { CurrencyCode } from '../money/currencies.ts';

const dayMs = 86_400_000;
const settled: RefundCandidate = { status: 'PAYMENT-SUCCESS', currency: 'NGN', capturedAt: 0, capturedMinor: 10_000n, unavailableMinor: 0n, openChargebacks: 0 };
const ask: RefundAsk = { amountMinor: 1_000n, currency: null, now: dayMs, windowDays: 180 };

describe('refund eligibility', () => {
  const table: [string, Partial<RefundCandidate>, Partial<RefundAsk>, string][] = [
    ['a pending payment', { status: 'PAYMENT-PENDING' }, {}, 'payment_not_settled'],
    ['a failed payment', { status: 'PAYMENT-FAILED' }, {}, 'payment_failed'],
    ['a refunded payment', { status: 'REFUNDED', unavailableMinor: 10_000n }, {}, 'already_refunded'],
    ['a payment whose whole amount is held for refunds', { unavailableMinor: 10_000n }, {}, 'already_refunded'],
    ['a payment with an open chargeback', { openChargebacks: 1 }, {}, 'chargeback_open'],
    ['a payment past the window', {}, { now: 181 * dayMs }, 'refund_window_closed'],
    ['another currency', {}, { currency: 'USD' }, 'refund_currency_mismatch'],
    ['more than remains', { unavailableMinor: 9_500n }, { amountMinor: 501n }, 'refund_exceeds_remaining'],
    ['a pending payment past the window with a chargeback (pending wins)', { status: 'PAYMENT-PENDING', openChargebacks: 1 }, { now: 999 * dayMs }, 'payment_not_settled'],
    ['a chargeback past the window (chargeback wins)', { openChargebacks: 1 }, { now: 999 * dayMs }, 'chargeback_open'],
  ];
  for (const [name, candidate, request, code] of table) {
    it(`refuses ${name} with ${code}`, () => {
      const result = decideRefundAmount({ ...settled, ...candidate }, { ...ask, ...request });
      assert.equal(result.ok, false);
      assert.equal(result.code, code);
    });
  }
  it('refunds what remains when no amount is given, inside the window to the day', () => {
    assert.deepEqual(decideRefundAmount({ ...settled, unavailableMinor: 2_500n }, { ...ask, amountMinor: null, now: 180 * dayMs }), { ok: true, value: 7_500n });
  });
  it('refunds exactly what remains', () => {
    assert.deepEqual(decideRefundAmount({ ...settled, unavailableMinor: 9_000n }, { ...ask, amountMinor: 1_000n }), { ok: true, value: 1_000n });
  });
});

describe('refund split', () => {
  const policy: RefundPolicy = { fees: 'refund', taxes: 'proportional' };
  const none = { fees: 0n, taxes: 0n };
  it('returns tax and fee in proportion, floored', () => {
    assert.deepEqual(splitRefund({ amountMinor: 10_000n, feesMinor: 150n, taxesMinor: 75n, refundedBeforeMinor: none, feesReturnedMinor: 0n, taxesReturnedMinor: 0n, refundMinor: 3_333n, policy }),
      { principalMinor: 3_333n, taxMinor: 24n, feeMinor: 49n });
  });
  it('counts a charge\'s share only on what was refunded under a policy returning it (R4)', () => {
    // 90.00 refunded while the fee was kept and the tax returned; then 1.00 with both returned.
    assert.deepEqual(splitRefund({ amountMinor: 10_000n, feesMinor: 1_000n, taxesMinor: 500n, refundedBeforeMinor: { fees: 0n, taxes: 9_000n }, feesReturnedMinor: 0n, taxesReturnedMinor: 450n, refundMinor: 100n, policy }),
      { principalMinor: 100n, taxMinor: 5n, feeMinor: 10n });
  });
  it('keeps the fee and the tax when the policy says so', () => {
    assert.deepEqual(splitRefund({ amountMinor: 10_000n, feesMinor: 150n, taxesMinor: 75n, refundedBeforeMinor: none, feesReturnedMinor: 0n, taxesReturnedMinor: 0n, refundMinor: 10_000n, policy: { fees: 'keep', taxes: 'keep' } }),
      { principalMinor: 10_000n, taxMinor: 0n, feeMinor: 0n });
  });
  it('sums the parts of any sequence of partial refunds, some failing, to exactly the whole charge', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let round = 0; round < 300; round++) {
      const amountMinor = BigInt(1 + Math.floor(random() * 1_000_000));
      const feesMinor = BigInt(Math.floor((random() * Number(amountMinor)) / 10));
      const taxesMinor = BigInt(Math.floor((random() * Number(amountMinor)) / 10));
      const held: { principal: bigint; tax: bigint; fee: bigint }[] = [];
      let refunded = 0n;
      let tax = 0n;
      let fee = 0n;
      while (refunded < amountMinor) {
        const left = amountMinor - refunded;
        const part = random() < 0.3 ? left : 1n + BigInt(Math.floor(random() * Number(left)));
        const split = splitRefund({ amountMinor, feesMinor, taxesMinor, refundedBeforeMinor: { fees: refunded, taxes: refunded }, feesReturnedMinor: fee, taxesReturnedMinor: tax, refundMinor: part, policy });
        assert.ok(split.taxMinor >= 0n && split.feeMinor >= 0n);
        refunded += part;
        tax += split.taxMinor;
        fee += split.feeMinor;
        held.push({ principal: part, tax: split.taxMinor, fee: split.feeMinor });
        if (random() < 0.2 && held.length > 0) {
          // A refund the processor declined releases its whole share.
          const failed = held.splice(Math.floor(random() * held.length), 1)[0]!;
          refunded -= failed.principal;
          tax -= failed.tax;
          fee -= failed.fee;
        }
      }
      assert.equal(tax, taxesMinor, `round ${round}`);
      assert.equal(fee, feesMinor, `round ${round}`);
    }
  });
});

describe('refund journal lines', () => {
  const accounts = { clearing: 'clearing' as AccountId, merchant: 'merchant' as AccountId, feeRevenue: 'fees' as AccountId, taxPayable: 'tax' as AccountId };
  const fx = { paymentCurrency: 'NGN' as CurrencyCode, fxPayment: 'fx:NGN' as AccountId, fxSettlement: 'fx:USD' as AccountId };
  const lines = (principalMinor: bigint) => refundHolds({
    transactionId: 'order', refundId: 'order-REFUND', currency: 'USD',
    split: { principalMinor: 1_445n, taxMinor: 0n, feeMinor: 0n }, accounts, fx: { ...fx, principalMinor }, transferId: (line) => `t.${line}` as TransferId,
  });
  const shape = (held: RefundHoldLines) => Object.entries(held).map(([line, transfer]) => [line, transfer.debitAccountId, transfer.creditAccountId, transfer.amountMinor, transfer.currency]);

  it('takes the settlement part from the merchant and returns the refund through the FX positions (R7)', () => {
    assert.deepEqual(shape(lines(1n)), [['principal', 'merchant', 'fx:USD', 1n, 'USD'], ['counter', 'fx:NGN', 'clearing', 1_445n, 'NGN']]);
  });
  it('leaves out the merchant line when the part converts to nothing, keeping the counter line (R3, R7)', () => {
    assert.deepEqual(shape(lines(0n)), [['counter', 'fx:NGN', 'clearing', 1_445n, 'NGN']]);
  });
});
