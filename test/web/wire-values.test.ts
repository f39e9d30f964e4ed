// The dashboard's reading of API values (T5): money from the wire's decimal strings to
// "₦1,234.50" through bigint minor units, percentages from whole counts, and a dash for
// anything unexpected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countOf, formatMoney, percentOf, recordsOf, textOf } from '../../src/interfaces/web/wire-values.ts';

describe('dashboard wire values', () => {
  it('formats money exactly, grouped, with the currency symbol', () => {
    assert.equal(formatMoney('1234.50', 'NGN'), '₦1,234.50');
    assert.equal(formatMoney('0.00', 'NGN'), '₦0.00');
    // Beyond what a double holds exactly: every digit survives.
    assert.equal(formatMoney('9007199254740993.01', 'NGN'), '9007199254740993.01 NGN', 'above the ledger maximum it is shown as given');
    assert.equal(formatMoney('999999999999.99', 'NGN'), '₦999,999,999,999.99');
    assert.equal(formatMoney('1200', 'JPY'), '¥1,200');
  });

  it('shows a dash for a missing or malformed amount or currency', () => {
    for (const [amount, currency] of [[undefined, 'NGN'], [100, 'NGN'], ['100.00', 'XXX'], ['100.00', null]] as const) {
      assert.equal(formatMoney(amount, currency), '—');
    }
  });

  it('gives percentages with one decimal from counts, and none of nothing', () => {
    assert.equal(percentOf(2, 3), '66.7%');
    assert.equal(percentOf(3, 3), '100.0%');
    assert.equal(percentOf(0, 5), '0.0%');
    assert.equal(percentOf(0, 0), null);
  });

  it('reads fields by type', () => {
    const record = { a: 'x', n: 3, bad: -1, list: [{ b: 1 }, 'no', null] };
    assert.deepEqual([textOf(record, 'a'), textOf(record, 'n'), textOf(record, 'missing')], ['x', '3', '—']);
    assert.deepEqual([countOf(record, 'n'), countOf(record, 'bad'), countOf(record, 'a')], [3, 0, 0]);
    assert.deepEqual(recordsOf(record, 'list'), [{ b: 1 }]);
  });
});
