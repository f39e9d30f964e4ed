// Specification of card data handling: numbers are checked and branded, expiry and
// security code are validated in field order, and the number is never shown whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  cardBrand,
  last4,
  parseCardDetails,
  parseCardNumber,
  parseCvc,
  parseExpiry,
  passesLuhn,
  type CardBrand,
  type CardNumber,
} from './card.ts';

/** 15 March 2025, 12:00 UTC. */
const nowMs = Date.UTC(2025, 2, 15, 12);

/** Completes a number with its Luhn check digit, so that tests can build numbers in any range. */
function withCheckDigit(partial: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (passesLuhn(`${partial}${digit}`)) return `${partial}${digit}`;
  }
  throw new Error('unreachable: one check digit always fits');
}

function parsed(value: string): CardNumber {
  const result = parseCardNumber(value);
  assert.ok(result.ok, `${value} should parse`);
  return result.value;
}

describe('card numbers', () => {
  const accepted: readonly [string, string, string][] = [
    ['plain digits', '4242424242424242', '4242'],
    ['spaces', '4242 4242 4242 4242', '4242'],
    ['dashes', '5555-5555-5555-4444', '4444'],
    ['12 digits', withCheckDigit('50000000000'), withCheckDigit('50000000000').slice(-4)],
    ['19 digits', withCheckDigit('506099000000000000'), withCheckDigit('506099000000000000').slice(-4)],
  ];
  for (const [name, value, lastFour] of accepted) {
    it(`accepts ${name}`, () => {
      const number = parsed(value);
      assert.equal(last4(number), lastFour);
      assert.equal(number.revealDigits(), value.replace(/[ -]/g, ''));
    });
  }

  const refused: readonly [string, unknown, RegExp][] = [
    ['a number type', 4242424242424242, /string of digits/],
    ['letters', '4242 4242 4242 424x', /digits only/],
    ['other punctuation', '4242.4242.4242.4242', /digits only/],
    ['an empty string', '', /digits only/],
    ['11 digits', withCheckDigit('4242424242'), /12 to 19 digits/],
    ['20 digits', withCheckDigit('4242424242424242424'), /12 to 19 digits/],
    ['overlong input', `${'4242 '.repeat(7)}4242`, /longer than 32/],
    ['a failed check digit', '4242424242424241', /check digit/],
  ];
  for (const [name, value, detail] of refused) {
    it(`refuses ${name} with invalid_card on card.number, never echoing it`, () => {
      const result = parseCardNumber(value);
      assert.ok(!result.ok);
      assert.equal(result.code, 'invalid_card');
      assert.equal(result.field, 'card.number');
      assert.match(result.detail ?? '', detail);
      if (typeof value === 'string' && value.length > 0) assert.ok(!JSON.stringify(result).includes(value));
    });
  }

  it('never shows the whole number, however it is printed', () => {
    const number = parsed('4242 4242 4242 4242');
    const shown = [String(number), `card ${number.toString()}`, JSON.stringify({ card: number }), inspect(number), inspect({ nested: { number } }, { depth: 5, showHidden: true })];
    for (const text of shown) {
      assert.ok(!text.includes('42424242'), text);
      assert.ok(text.includes('4242'), text);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(number)), { brand: 'visa', last4: '4242' });
  });
});

describe('card brands', () => {
  const brands: readonly [string, CardBrand][] = [
    ['4111111111111111', 'visa'],
    ['4000056655665556', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['5105105105105100', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['2720990000000007', 'mastercard'],
    ['378282246310005', 'amex'],
    ['371449635398431', 'amex'],
    ['6011111111111117', 'discover'],
    ['6445644564456445', 'discover'],
    [withCheckDigit('622126000000000'), 'discover'],
    [withCheckDigit('650100000000000'), 'discover'],
    [withCheckDigit('506099000000000'), 'verve'],
    [withCheckDigit('506198000000000'), 'verve'],
    [withCheckDigit('506198000000000000'), 'verve'],
    [withCheckDigit('650002000000000'), 'verve'],
    [withCheckDigit('650027000000000'), 'verve'],
    [withCheckDigit('650028000000000'), 'discover'],
    [withCheckDigit('506098000000000'), 'unknown'],
    [withCheckDigit('506199000000000'), 'unknown'],
    [withCheckDigit('222000000000000'), 'unknown'],
    [withCheckDigit('272100000000000'), 'unknown'],
    ['3530111333300000', 'unknown'],
    [withCheckDigit('900000000000000'), 'unknown'],
  ];
  for (const [digits, brand] of brands) {
    it(`names ${digits.slice(0, 6)}… ${brand}`, () => {
      const result = parseCardNumber(digits);
      if (!result.ok) return assert.fail(`${digits} should parse: ${result.detail ?? ''}`);
      assert.equal(cardBrand(result.value), brand);
    });
  }
});

describe('card expiry', () => {
  const cases: readonly { name: string; month: unknown; year: unknown; code?: string; field?: string }[] = [
    { name: 'a month below 1', month: 0, year: 2030, code: 'invalid_card', field: 'card.exp_month' },
    { name: 'a month above 12', month: 13, year: 2030, code: 'invalid_card', field: 'card.exp_month' },
    { name: 'a fractional month', month: 1.5, year: 2030, code: 'invalid_card', field: 'card.exp_month' },
    { name: 'a month as a string', month: '12', year: 2030, code: 'invalid_card', field: 'card.exp_month' },
    { name: 'a two-digit year', month: 12, year: 30, code: 'invalid_card', field: 'card.exp_year' },
    { name: 'a year too far ahead', month: 12, year: 2046, code: 'invalid_card', field: 'card.exp_year' },
    { name: 'a year as a string', month: 12, year: '2030', code: 'invalid_card', field: 'card.exp_year' },
    { name: 'a past year', month: 12, year: 2024, code: 'card_expired', field: 'card.exp_year' },
    { name: 'last month', month: 2, year: 2025, code: 'card_expired', field: 'card.exp_year' },
    { name: 'this month', month: 3, year: 2025 },
    { name: 'next month', month: 4, year: 2025 },
    { name: 'the furthest year taken', month: 12, year: 2045 },
  ];
  for (const testCase of cases) {
    it(`${testCase.code === undefined ? 'accepts' : 'refuses'} ${testCase.name}`, () => {
      const result = parseExpiry(testCase.month, testCase.year, nowMs);
      if (testCase.code === undefined) {
        assert.deepEqual(result, { ok: true, value: { month: testCase.month, year: testCase.year } });
        return;
      }
      assert.ok(!result.ok);
      assert.equal(result.code, testCase.code);
      assert.equal(result.field, testCase.field);
    });
  }

  it('keeps a card valid through the last millisecond of its expiry month, in UTC', () => {
    assert.ok(parseExpiry(3, 2025, Date.UTC(2025, 3, 1) - 1).ok);
    assert.ok(!parseExpiry(3, 2025, Date.UTC(2025, 3, 1)).ok);
    assert.ok(parseExpiry(12, 2025, Date.UTC(2026, 0, 1) - 1).ok);
    assert.ok(!parseExpiry(12, 2025, Date.UTC(2026, 0, 1)).ok);
  });
});

describe('card security code', () => {
  const cases: readonly [unknown, boolean][] = [
    ['123', true], ['0123', true], ['012', true], ['12', false], ['12345', false], ['12a', false], [' 123', false], [123, false], ['', false],
  ];
  for (const [value, accepted] of cases) {
    it(`${accepted ? 'accepts' : 'refuses'} ${JSON.stringify(value)}`, () => {
      const result = parseCvc(value);
      if (accepted) {
        assert.ok(result.ok);
        assert.equal(result.value.revealDigits(), value);
        assert.ok(!JSON.stringify(result.value).includes(String(value)) && !inspect(result.value).includes(String(value)));
      } else {
        assert.deepEqual(result, { ok: false, code: 'invalid_card', field: 'card.cvc', detail: 'the card security code must be 3 or 4 digits' });
      }
    });
  }
});

describe('whole card details', () => {
  const valid = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
  // In order of precedence: the first faulty field is the one reported.
  const cases: readonly { name: string; input: Readonly<Record<string, unknown>>; code: string; field: string }[] = [
    { name: 'a bad number before everything else', input: { number: '1', expMonth: 0, expYear: 1, cvc: 'x' }, code: 'invalid_card', field: 'card.number' },
    { name: 'a bad month before the year', input: { ...valid, expMonth: 13, expYear: 1, cvc: 'x' }, code: 'invalid_card', field: 'card.exp_month' },
    { name: 'a bad year before the code', input: { ...valid, expYear: 1, cvc: 'x' }, code: 'invalid_card', field: 'card.exp_year' },
    { name: 'expiry before the code', input: { ...valid, expYear: 2024, cvc: 'x' }, code: 'card_expired', field: 'card.exp_year' },
    { name: 'a bad code', input: { ...valid, cvc: 'x' }, code: 'invalid_card', field: 'card.cvc' },
  ];
  for (const testCase of cases) {
    it(`reports ${testCase.name}`, () => {
      const result = parseCardDetails({ number: testCase.input['number'], expMonth: testCase.input['expMonth'], expYear: testCase.input['expYear'], cvc: testCase.input['cvc'] }, nowMs);
      assert.ok(!result.ok);
      assert.equal(result.code, testCase.code);
      assert.equal(result.field, testCase.field);
    });
  }

  it('accepts a valid card and shows only brand and last four digits', () => {
    const result = parseCardDetails(valid, nowMs);
    assert.ok(result.ok);
    assert.equal(result.value.number.brand, 'visa');
    assert.deepEqual(result.value.expiry, { month: 12, year: 2030 });
    const shown = JSON.stringify(result.value);
    assert.ok(!shown.includes('4242424242424242') && !shown.includes('"123"'), shown);
  });
});
