// The one place where money crosses between decimal strings in major units (the wire)
// and bigint minor units (everything inside). Integer arithmetic only: no number ever
// holds an amount.
import { ok, refuse, type Result } from '../result.ts';
import { currencyExponent, isCurrencyCode, type CurrencyCode } from './currencies.ts';

/** The largest amount accepted, in minor units: fits a signed 64-bit integer with headroom
 * for sums of many amounts in PostgreSQL bigint and DynamoDB numbers. */
export const amountMinorMax = 10n ** 15n;

export type Money = { readonly amountMinor: bigint; readonly currency: CurrencyCode };

export type AmountRefusalCode = 'invalid_amount' | 'invalid_currency';

const decimalPattern = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export function parseCurrency(value: unknown, field = 'currency'): Result<CurrencyCode, 'invalid_currency'> {
  if (typeof value !== 'string') return refuse('invalid_currency', field, 'must be an ISO 4217 code as a string');
  if (!isCurrencyCode(value)) return refuse('invalid_currency', field, `unknown currency '${value.slice(0, 8)}'`);
  return ok(value);
}

/**
 * Parses a decimal string in major units ("100.00") into minor units. Refuses JSON numbers,
 * signs, exponents, more decimals than the currency has, zero (unless allowed) and amounts
 * above `amountMinorMax`.
 */
export function parseAmount(
  value: unknown,
  currency: CurrencyCode,
  options: { field?: string; allowZero?: boolean } = {},
): Result<bigint, 'invalid_amount'> {
  const field = options.field ?? 'amount';
  if (typeof value === 'number') return refuse('invalid_amount', field, 'must be a decimal string such as "100.00", not a JSON number');
  if (typeof value !== 'string') return refuse('invalid_amount', field, 'must be a decimal string such as "100.00"');
  if (value.startsWith('-')) return refuse('invalid_amount', field, 'must not be negative');
  const match = decimalPattern.exec(value);
  if (match === null) return refuse('invalid_amount', field, 'must be a plain decimal string such as "100.00"');
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    return refuse('invalid_amount', field, `${currency} has ${exponent} decimal place${exponent === 1 ? '' : 's'}`);
  }
  if (whole.length > 20) return refuse('invalid_amount', field, 'is too large');
  const amountMinor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (amountMinor === 0n && options.allowZero !== true) return refuse('invalid_amount', field, 'must be greater than zero');
  if (amountMinor > amountMinorMax) return refuse('invalid_amount', field, 'is too large');
  return ok(amountMinor);
}

/** Formats minor units as a decimal string in major units with exactly the currency's decimals. */
export function formatAmount(amountMinor: bigint, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** Formats for people: "₦5,000.00", "$12.50", "¥1,200"; currencies without a symbol use the code. */
export function formatForPeople(amountMinor: bigint, currency: CurrencyCode): string {
  const plain = formatAmount(amountMinor, currency);
  const [whole = '', fraction] = plain.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const symbol = currencySymbols[currency] ?? `${currency} `;
  return `${amountMinor < 0n ? '-' : ''}${symbol}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

const currencySymbols: Partial<Record<CurrencyCode, string>> = {
  NGN: '₦', USD: '$', EUR: '€', GBP: '£', JPY: '¥', GHS: 'GH₵', KES: 'KSh ', ZAR: 'R', INR: '₹',
};
