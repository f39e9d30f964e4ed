// P2 lifecycle and P4 journal lines of a captured payment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountId, TransferId } from '../ids.ts';
import { canTransition, paymentStatuses, type PaymentStatus } from './payment-status.ts';
import { capturedPaymentTransfers, checkCharges } from './payment-journal.ts';

describe('payment lifecycle', () => {
  const allowed: [PaymentStatus, PaymentStatus][] = [
    ['PAYMENT-INITIATED', 'PAYMENT-PENDING'], ['PAYMENT-INITIATED', 'PAYMENT-FAILED'],
    ['PAYMENT-PENDING', 'PAYMENT-SUCCESS'], ['PAYMENT-PENDING', 'PAYMENT-FAILED'],
    ['PAYMENT-SUCCESS', 'PARTIALLY-REFUNDED'], ['PAYMENT-SUCCESS', 'REFUNDED'],
    ['PARTIALLY-REFUNDED', 'PARTIALLY-REFUNDED'], ['PARTIALLY-REFUNDED', 'REFUNDED'],
    // Refund rollbacks (R8).
    ['PARTIALLY-REFUNDED', 'PAYMENT-SUCCESS'], ['REFUNDED', 'PARTIALLY-REFUNDED'], ['REFUNDED', 'PAYMENT-SUCCESS'],
  ];
  it('allows exactly the documented transitions', () => {
    for (const from of paymentStatuses) {
      for (const to of paymentStatuses) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        assert.equal(canTransition(from, to), expected, `${from} → ${to}`);
      }
    }
  });
});

describe('payment journal lines', () => {
  const accounts = { clearing: 'clr' as AccountId, merchant: 'mer' as AccountId, feeRevenue: 'fee' as AccountId, taxPayable: 'tax' as AccountId };
  const ids = (index: number) => `t${index}` as TransferId;
  it('moves the amount from clearing to the merchant and charges from the merchant', () => {
    const lines = capturedPaymentTransfers({ transactionId: 'T1', amountMinor: 100000n, currency: 'NGN', accounts, transferId: ids,
      charges: [{ type: 'fee', amountMinor: 1500n }, { type: 'tax', amountMinor: 113n }] });
    assert.deepEqual(lines.map((line) => [line.code, line.debitAccountId, line.creditAccountId, line.amountMinor]), [
      ['payment', 'clr', 'mer', 100000n], ['fee', 'mer', 'fee', 1500n], ['tax', 'mer', 'tax', 113n],
    ]);
    assert.ok(lines.every((line) => line.kind === 'posted' && line.transactionId === 'T1'));
  });
  it('passes through the customer account when one is given, netting it to zero', () => {
    const lines = capturedPaymentTransfers({ transactionId: 'T2', amountMinor: 500n, currency: 'USD', accounts: { ...accounts, customer: 'cus' as AccountId }, transferId: ids, charges: [] });
    assert.deepEqual(lines.map((line) => [line.debitAccountId, line.creditAccountId, line.amountMinor]), [['clr', 'cus', 500n], ['cus', 'mer', 500n]]);
  });
  it('refuses charges above the amount and too many lines', () => {
    assert.equal(checkCharges(100n, [{ type: 'fee', amountMinor: 60n }, { type: 'tax', amountMinor: 41n }]).ok, false);
    assert.equal(checkCharges(100n, [{ type: 'fee', amountMinor: 60n }, { type: 'tax', amountMinor: 40n }]).ok, true);
    assert.equal(checkCharges(100n, Array.from({ length: 9 }, () => ({ type: 'fee' as const, amountMinor: 1n }))).ok, false);
  });
});
