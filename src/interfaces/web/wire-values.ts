// Reading the API's JSON answers safely in the browser: every field is checked for its
// type where it is used, so an unexpected answer shows a dash, never "undefined".
import { formatForPeople, parseAmount } from '../../domain/money/money.ts';
import { isCurrencyCode } from '../../domain/money/currencies.ts';

export type WireRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is WireRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(record: WireRecord, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '—';
}

export function countOf(record: WireRecord, key: string): number {
  const value = record[key];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

export function recordsOf(record: WireRecord, key: string): WireRecord[] {
  const value = record[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/**
 * "₦5,000.00" from the wire's decimal string and currency, through the ledger's own money
 * module: minor units in a bigint, never a floating-point number.
 */
export function formatMoney(amount: unknown, currency: unknown): string {
  if (typeof amount !== 'string' || typeof currency !== 'string' || !isCurrencyCode(currency)) return '—';
  const parsed = parseAmount(amount, currency, { allowZero: true });
  return parsed.ok ? formatForPeople(parsed.value, currency) : `${amount} ${currency}`;
}

/** `part / whole` as a percentage with one decimal, from whole counts; null when whole is 0. */
export function percentOf(part: number, whole: number): string | null {
  if (whole <= 0) return null;
  const tenths = Math.round((part * 1000) / whole);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}
