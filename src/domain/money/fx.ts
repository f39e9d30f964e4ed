// Currency conversion (R7): a rate is an exact decimal (units of the settlement currency
// per one unit of the payment currency), kept as the string it was given in and applied
// with integer arithmetic only.
//
// Rounding rule: half to even, on the settlement currency's minor unit. Amounts that move
// in parts (partial refunds, chargebacks) are converted cumulatively — the part is
// convert(total moved so far) − what earlier parts already moved — so the parts of any
// sequence always add up to exactly the converted whole.
import { ok, refuse, type Result } from '../result.ts';
import { currencyExponent, type CurrencyCode } from './currencies.ts';

export type FxRate = { readonly text: string; readonly numerator: bigint; readonly scale: number };

export const fxRateDecimalsMax = 12;
const ratePattern = /^(0|[1-9][0-9]{0,11})(?:\.([0-9]+))?$/;

export function parseFxRate(value: unknown, field = 'fx_rate'): Result<FxRate, 'invalid_fx_rate'> {
  if (typeof value !== 'string') return refuse('invalid_fx_rate', field, 'must be a decimal string such as "1550.25"');
  const match = ratePattern.exec(value);
  if (match === null) return refuse('invalid_fx_rate', field, 'must be a plain positive decimal string below 10^12');
  const fraction = match[2] ?? '';
  if (fraction.length > fxRateDecimalsMax) return refuse('invalid_fx_rate', field, `has more than ${fxRateDecimalsMax} decimals`);
  const numerator = BigInt(`${match[1] ?? '0'}${fraction}`);
  if (numerator === 0n) return refuse('invalid_fx_rate', field, 'must be greater than zero');
  return ok({ text: value, numerator, scale: fraction.length });
}

/** Divides, rounding half to even. Both arguments non-negative, the divisor positive. */
export function divideHalfEven(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  const twice = (dividend % divisor) * 2n;
  if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

/** Converts minor units of `from` into minor units of `to` at `rate`, half to even. */
export function convertMinor(amountMinor: bigint, from: CurrencyCode, to: CurrencyCode, rate: FxRate): bigint {
  const up = BigInt(currencyExponent(to));
  const down = BigInt(currencyExponent(from)) + BigInt(rate.scale);
  return divideHalfEven(amountMinor * rate.numerator * 10n ** up, 10n ** down);
}

/**
 * The settlement-currency part of a movement of `partMinor`, when `movedBeforeMinor` of
 * the payment currency and `settledBeforeMinor` of the settlement currency have moved
 * already: the cumulative conversion less what earlier parts moved.
 */
export function convertPart(input: {
  readonly partMinor: bigint;
  readonly movedBeforeMinor: bigint;
  readonly settledBeforeMinor: bigint;
  readonly from: CurrencyCode;
  readonly to: CurrencyCode;
  readonly rate: FxRate;
}): bigint {
  const target = convertMinor(input.movedBeforeMinor + input.partMinor, input.from, input.to, input.rate);
  const part = target - input.settledBeforeMinor;
  return part > 0n ? part : 0n;
}
