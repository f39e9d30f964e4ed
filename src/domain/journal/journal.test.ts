// L2–L4: the balance arithmetic every store applies, and the no-negative rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountId, TransferId } from '../ids.ts';
import { accountTypes, breaksBalanceLimit, normalSideOf, readableBalances, zeroBalances, type AccountBalances } from './accounts.ts';
import { applyDelta, assertTransferShape, balanceDeltas, type TransferWrite } from './transfers.ts';

const transfer = (overrides: Partial<TransferWrite>): TransferWrite => ({
  id: 't1' as TransferId, kind: 'posted', debitAccountId: 'a' as AccountId, creditAccountId: 'b' as AccountId,
  amountMinor: 100n, currency: 'NGN', code: 'test', ...overrides,
});

describe('balance deltas', () => {
  const cases: [string, Partial<TransferWrite>, AccountBalances, AccountBalances][] = [
    ['a posted transfer', { kind: 'posted' },
      { debitsPosted: 100n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n },
      { debitsPosted: 0n, creditsPosted: 100n, debitsPending: 0n, creditsPending: 0n }],
    ['a hold', { kind: 'pending' },
      { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 100n, creditsPending: 0n },
      { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 100n }],
    ['a partial post of a hold of 100', { kind: 'post_pending', amountMinor: 60n, pendingId: 'p' as TransferId, pendingAmountMinor: 100n },
      { debitsPosted: 60n, creditsPosted: 0n, debitsPending: -100n, creditsPending: 0n },
      { debitsPosted: 0n, creditsPosted: 60n, debitsPending: 0n, creditsPending: -100n }],
    ['a void of a hold of 100', { kind: 'void_pending', amountMinor: 100n, pendingId: 'p' as TransferId, pendingAmountMinor: 100n },
      { debitsPosted: 0n, creditsPosted: 0n, debitsPending: -100n, creditsPending: 0n },
      { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: -100n }],
  ];
  for (const [name, overrides, debit, credit] of cases) {
    it(`moves ${name} on both sides equally`, () => {
      const deltas = balanceDeltas(transfer(overrides));
      assert.deepEqual(deltas.debit, debit);
      assert.deepEqual(deltas.credit, credit);
      const sum = (side: 'debit' | 'credit') => Object.values(deltas[side]).reduce((total, value) => total + value, 0n);
      assert.equal(sum('debit'), sum('credit'), 'both sides change by the same total');
    });
  }
  it('adds a delta to balances', () => {
    assert.deepEqual(applyDelta({ ...zeroBalances, creditsPosted: 5n }, balanceDeltas(transfer({})).credit), { ...zeroBalances, creditsPosted: 105n });
  });
});

describe('transfer shape', () => {
  const bad: [string, Partial<TransferWrite>][] = [
    ['debits and credits one account', { creditAccountId: 'a' as AccountId }],
    ['moves nothing', { amountMinor: 0n }],
    ['is negative', { amountMinor: -1n }],
    ['posts more than is pending', { kind: 'post_pending', amountMinor: 101n, pendingId: 'p' as TransferId, pendingAmountMinor: 100n }],
    ['voids another amount than is pending', { kind: 'void_pending', amountMinor: 50n, pendingId: 'p' as TransferId, pendingAmountMinor: 100n }],
    ['resolves nothing yet names a pending id', { pendingId: 'p' as TransferId }],
    ['resolves without a pending id', { kind: 'void_pending', pendingAmountMinor: 100n }],
  ];
  for (const [name, overrides] of bad) {
    it(`is a bug when a transfer ${name}`, () => {
      assert.throws(() => {
        assertTransferShape(transfer(overrides));
      }, /transfer/);
    });
  }
});

describe('accounts', () => {
  it('gives assets a debit normal side and liabilities and revenue a credit one', () => {
    assert.deepEqual(accountTypes.map((type) => [type, normalSideOf(type)]), [
      ['customer', 'credit'], ['merchant', 'credit'], ['processor_clearing', 'debit'], ['fee_revenue', 'credit'],
      ['tax_payable', 'credit'], ['suspense', 'debit'], ['reversal_clearing', 'debit'], ['fx_position', 'debit'], ['settlement', 'debit'],
    ]);
  });
  it('reads balances on the normal side, with holds out of the available balance', () => {
    const balances = { debitsPosted: 30n, creditsPosted: 100n, debitsPending: 20n, creditsPending: 5n };
    assert.deepEqual(readableBalances({ type: 'customer', ...balances }), { posted: 70n, pending: -15n, available: 50n });
    assert.deepEqual(readableBalances({ type: 'processor_clearing', ...balances }), { posted: -70n, pending: 15n, available: -75n });
  });
  it('stops a no-negative account from spending posted or held money it does not have', () => {
    const customer = { type: 'customer' as const, allowNegative: false };
    assert.equal(breaksBalanceLimit({ ...customer, debitsPosted: 100n, creditsPosted: 100n, debitsPending: 0n, creditsPending: 0n }), false);
    assert.equal(breaksBalanceLimit({ ...customer, debitsPosted: 101n, creditsPosted: 100n, debitsPending: 0n, creditsPending: 0n }), true);
    assert.equal(breaksBalanceLimit({ ...customer, debitsPosted: 60n, creditsPosted: 100n, debitsPending: 41n, creditsPending: 0n }), true);
    assert.equal(breaksBalanceLimit({ ...customer, debitsPosted: 60n, creditsPosted: 100n, debitsPending: 0n, creditsPending: 1000n }), false, 'incoming holds are not yet money');
    assert.equal(breaksBalanceLimit({ type: 'customer', allowNegative: true, debitsPosted: 500n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n }), false);
    assert.equal(breaksBalanceLimit({ type: 'suspense', allowNegative: false, debitsPosted: 0n, creditsPosted: 1n, debitsPending: 0n, creditsPending: 0n }), true);
  });
});
