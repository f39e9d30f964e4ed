// R7 conversion: exact rates, half-to-even rounding, and parts that always sum to the whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertMinor, convertPart, divideHalfEven, parseFxRate, type FxRate } from './fx.ts';

function rate(text: string): FxRate {
  const parsed = parseFxRate(text);
  assert.ok(parsed.ok, text);
  return parsed.value;
}

describe('fx rates', () => {
  it('parses exact decimal rates and refuses everything else, naming the field', () => {
    assert.deepEqual(rate('1550.25'), { text: '1550.25', numerator: 155025n, scale: 2 });
    for (const bad of [1550.25, '-1', '0', '0.000', '1e3', ' 1', '1.0000000000001', '1000000000000', '']) {
      const parsed = parseFxRate(bad);
      assert.ok(!parsed.ok, String(bad));
      assert.equal(parsed.code, 'invalid_fx_rate');
      assert.equal(parsed.field, 'fx_rate');
    }
  });

  it('rounds half to even', () => {
    assert.deepEqual([5n, 15n, 25n, 26n, 24n].map((value) => divideHalfEven(value, 10n)), [0n, 2n, 2n, 3n, 2n]);
  });

  it('converts between exponents: USD→NGN, USD→JPY, KWD→USD', () => {
    assert.equal(convertMinor(10_000n, 'USD', 'NGN', rate('1550.25')), 15_502_500n); // 100.00 USD → 155,025.00 NGN
    assert.equal(convertMinor(1_999n, 'USD', 'JPY', rate('151.235')), 3_023n); // 19.99 × 151.235 = 3023.18…
    assert.equal(convertMinor(1_000n, 'KWD', 'USD', rate('3.2545')), 325n); // 1.000 KWD → 3.2545 → 3.25 (half-even of 325.45)
  });

  it('makes parts that sum exactly to the converted whole, for any split', () => {
    const r = rate('0.000643');
    const whole = 333_333n;
    const total = convertMinor(whole, 'NGN', 'USD', r);
    let moved = 0n;
    let settled = 0n;
    for (const part of [1n, 99_999n, 33_333n, 100_000n, 100_000n]) {
      settled += convertPart({ partMinor: part, movedBeforeMinor: moved, settledBeforeMinor: settled, from: 'NGN', to: 'USD', rate: r });
      moved += part;
    }
    assert.equal(moved, whole);
    assert.equal(settled, total);
  });
});
