// L1, exact money: every amount the wire may carry, in a table ordered by refusal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amountMinorMax, formatAmount, formatForPeople, parseAmount, parseCurrency } from './money.ts';
import { currencyExponent, isCurrencyCode } from './currencies.ts';

describe('currencies', () => {
  it('knows the ISO 4217 exponents of NGN, USD, JPY and KWD', () => {
    assert.deepEqual(['NGN', 'USD', 'JPY', 'KWD', 'CLP', 'BHD'].map((code) => isCurrencyCode(code) ? currencyExponent(code) : null), [2, 2, 0, 3, 0, 3]);
  });
  it('refuses unknown, lower-case and non-string currencies', () => {
    for (const value of ['XYZ', 'ngn', 'NG', '', 566, null, undefined, 'XAU']) {
      const result = parseCurrency(value);
      assert.equal(result.ok, false, String(value));
      assert.equal(result.code, 'invalid_currency');
      assert.equal(result.field, 'currency');
    }
  });
});

describe('parseAmount', () => {
  const accepted: [string, 'NGN' | 'JPY' | 'KWD' | 'USD', bigint][] = [
    ['100.00', 'NGN', 10000n],
    ['100', 'NGN', 10000n],
    ['100.5', 'NGN', 10050n],
    ['0.01', 'USD', 1n],
    ['1200', 'JPY', 1200n],
    ['1.234', 'KWD', 1234n],
    ['10000000000000.00', 'NGN', amountMinorMax],
  ];
  for (const [text, currency, minor] of accepted) {
    it(`reads "${text}" ${currency} as ${minor} minor units`, () => {
      assert.deepEqual(parseAmount(text, currency), { ok: true, value: minor });
    });
  }

  const refused: [string, unknown, 'NGN' | 'JPY' | 'KWD', RegExp][] = [
    ['a JSON number', 100, 'NGN', /JSON number/],
    ['a JSON number even when whole', 100.5, 'NGN', /JSON number/],
    ['a boolean', true, 'NGN', /decimal string/],
    ['null', null, 'NGN', /decimal string/],
    ['a negative amount', '-1.00', 'NGN', /negative/],
    ['a plus sign', '+1.00', 'NGN', /plain decimal/],
    ['an exponent', '1e3', 'NGN', /plain decimal/],
    ['a leading zero', '01.00', 'NGN', /plain decimal/],
    ['a bare point', '1.', 'NGN', /plain decimal/],
    ['a leading point', '.5', 'NGN', /plain decimal/],
    ['spaces', ' 1.00', 'NGN', /plain decimal/],
    ['a thousands separator', '1,000.00', 'NGN', /plain decimal/],
    ['three decimals in NGN', '1.001', 'NGN', /2 decimal places/],
    ['any decimals in JPY', '1.5', 'JPY', /0 decimal places/],
    ['four decimals in KWD', '1.0001', 'KWD', /3 decimal places/],
    ['zero', '0.00', 'NGN', /greater than zero/],
    ['one above the maximum', '10000000000000.01', 'NGN', /too large/],
    ['a huge number', '9'.repeat(40), 'NGN', /too large/],
  ];
  for (const [name, value, currency, detail] of refused) {
    it(`refuses ${name}`, () => {
      const result = parseAmount(value, currency, { field: 'fees.0.amount' });
      assert.equal(result.ok, false);
      assert.equal(result.code, 'invalid_amount');
      assert.equal(result.field, 'fees.0.amount');
      assert.match(result.detail ?? '', detail);
    });
  }

  it('accepts zero when asked to', () => {
    assert.deepEqual(parseAmount('0', 'NGN', { allowZero: true }), { ok: true, value: 0n });
  });
});

describe('formatAmount', () => {
  const cases: [bigint, 'NGN' | 'JPY' | 'KWD', string][] = [
    [10000n, 'NGN', '100.00'], [1n, 'NGN', '0.01'], [0n, 'NGN', '0.00'], [-150n, 'NGN', '-1.50'],
    [1200n, 'JPY', '1200'], [1234n, 'KWD', '1.234'], [5n, 'KWD', '0.005'], [amountMinorMax * 1000n, 'NGN', '10000000000000000.00'],
  ];
  for (const [minor, currency, text] of cases) {
    it(`writes ${minor} ${currency} as "${text}"`, () => {
      assert.equal(formatAmount(minor, currency), text);
    });
  }
  it('round-trips every amount it writes', () => {
    for (const minor of [1n, 99n, 100n, 123456789n, amountMinorMax]) {
      for (const currency of ['NGN', 'JPY', 'KWD'] as const) {
        assert.deepEqual(parseAmount(formatAmount(minor, currency), currency), { ok: true, value: minor });
      }
    }
  });
  it('formats for people with the symbol and thousands separators', () => {
    assert.equal(formatForPeople(500000n, 'NGN'), '₦5,000.00');
    assert.equal(formatForPeople(120000n, 'JPY'), '¥120,000');
    assert.equal(formatForPeople(1234n, 'KWD'), 'KWD 1.234');
  });
});
