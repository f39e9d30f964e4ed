// Typed reads of stored JSON bodies: a field that is missing or of the wrong type is a
// damaged record, which stops the operation rather than being guessed around.
import { invariant } from '../../domain/invariant.ts';
import type { JsonObject, JsonValue } from '../ports/store.ts';

export function field<T>(body: JsonObject, name: string, check: (value: JsonValue | undefined) => value is T & JsonValue): T {
  const value = body[name];
  invariant(check(value), `record field '${name}' is damaged`);
  return value;
}

export const isString = (value: JsonValue | undefined): value is string => typeof value === 'string';
export const isNumber = (value: JsonValue | undefined): value is number => typeof value === 'number';
export const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A minor-unit amount stored as a decimal string; absent fields (older records) read as zero. */
export function minorField(body: JsonObject, name: string): bigint {
  const value = body[name];
  if (value === undefined || value === null) return 0n;
  invariant(typeof value === 'string' && /^-?[0-9]+$/.test(value), `record field '${name}' is damaged`);
  return BigInt(value);
}
