// Reading typed values out of database rows (SQLite and PostgreSQL alike). Every column is checked as it is read, so a
// damaged or hand-edited row fails loudly instead of flowing on with the wrong type.
import { invariant } from '../../../domain/invariant.ts';
import type { JsonObject, JsonValue } from '../../../app/ports/store.ts';
import type { Row } from './row.ts';

export function textOf(row: Row, column: string): string {
  const value = row[column];
  invariant(typeof value === 'string', `column ${column} is not text`);
  return value;
}

export function optionalTextOf(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null) return null;
  invariant(typeof value === 'string', `column ${column} is not text`);
  return value;
}

/** Integers always come back as bigint (safe integers in SQLite, type parsers in PostgreSQL). */
export function bigintOf(row: Row, column: string): bigint {
  const value = row[column];
  invariant(typeof value === 'bigint', `column ${column} is not an integer`);
  return value;
}

export function optionalBigintOf(row: Row, column: string): bigint | null {
  return row[column] === null ? null : bigintOf(row, column);
}

/** For integers the port types as number (versions, sequences, times in ms). */
export function numberOf(row: Row, column: string): number {
  const value = Number(bigintOf(row, column));
  invariant(Number.isSafeInteger(value), `column ${column} does not fit a safe integer`);
  return value;
}

export function booleanOf(row: Row, column: string): boolean {
  const value = bigintOf(row, column);
  invariant(value === 0n || value === 1n, `column ${column} is not a boolean`);
  return value === 1n;
}

export function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === 'object') return Object.values(value).every(isJsonValue);
  return false;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isJsonValue(value);
}

export function parseJson(row: Row, column: string): unknown {
  const parsed: unknown = JSON.parse(textOf(row, column));
  return parsed;
}

export function jsonObjectOf(row: Row, column: string): JsonObject {
  const value = parseJson(row, column);
  invariant(isJsonObject(value), `column ${column} is not a JSON object`);
  return value;
}

/** Picks the member of a closed set of names that a text column holds. */
export function oneOf<T extends string>(allowed: readonly T[], row: Row, column: string): T {
  const value = textOf(row, column);
  const found = allowed.find((candidate) => candidate === value);
  invariant(found !== undefined, `column ${column} holds the unknown value '${value}'`);
  return found;
}
