// Specification of the Powertools log redaction: secrets by attribute name wherever they
// sit, card numbers by shape (Luhn-valid digit runs) inside any text, bigints as text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskCardNumbers, redactForLog, redactedText } from './observability.ts';

const serialized = (value: unknown) => JSON.stringify(value, redactForLog);

describe('Powertools log redaction', () => {
  it('redacts card, number, cvc, token, secret, api_key and authorization at any depth', () => {
    const line = serialized({
      card: { number: '4242424242424242' },
      request: { headers: { authorization: 'Bearer ctr.t.k.secret' }, body: { cvc: '123', api_key: 'k', token: 't', secret: 's' } },
    });
    for (const leaked of ['4242424242424242', 'ctr.t.k.secret', '"123"', '"k"', '"t"', '"s"']) assert.ok(!line.includes(leaked), `${leaked} in ${line}`);
    assert.ok(line.includes(redactedText));
  });

  it('masks Luhn-valid card numbers in free text, grouped or not, and leaves other digit runs', () => {
    const cases: readonly [string, string][] = [
      ['declined card 4242424242424242 today', `declined card ${redactedText} today`],
      ['card 4242 4242 4242 4242', `card ${redactedText}`],
      ['card 4000-0000-0000-5126', `card ${redactedText}`],
      ['order 1234567890123 shipped', 'order 1234567890123 shipped'],
      ['epoch 1795338764000', 'epoch 1795338764000'],
      ['amount 100.00 NGN', 'amount 100.00 NGN'],
    ];
    for (const [text, expected] of cases) assert.equal(maskCardNumbers(text), expected, text);
  });

  it('writes bigints as decimal text instead of failing the log line', () => {
    assert.equal(serialized({ amountMinor: 10_000n }), '{"amountMinor":"10000"}');
  });
});
