// DynamoDB attribute values in and out. Numbers travel as decimal strings both ways and
// come back as bigint (never a JS number), so money keeps every digit; items turn into
// the rows the shared codecs (../rows) already decode and check.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { invariant } from '../../../domain/invariant.ts';
import type { Row } from '../rows/row.ts';

export type Item = Record<string, AttributeValue>;

export function text(value: string): AttributeValue {
  return { S: value };
}

export function num(value: bigint | number): AttributeValue {
  invariant(typeof value === 'bigint' || Number.isSafeInteger(value), `${value} is not an integer`);
  return { N: value.toString() };
}

/** Optional attributes are left out rather than stored as NULL: absent reads back as null. */
export function optionalText(name: string, value: string | undefined | null): Item {
  return value === undefined || value === null ? {} : { [name]: text(value) };
}

export function optionalNum(name: string, value: bigint | undefined | null): Item {
  return value === undefined || value === null ? {} : { [name]: num(value) };
}

function decode(value: AttributeValue | undefined, name: string): unknown {
  if (value === undefined || value.NULL === true) return null;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) {
    invariant(/^-?[0-9]+$/.test(value.N), `attribute ${name} is not an integer`);
    return BigInt(value.N);
  }
  invariant(false, `attribute ${name} has a type this store never writes`);
}

/** The named attributes as a row: texts as strings, numbers as bigint, absent as null. */
export function rowOf(item: Item, names: readonly string[]): Row {
  const row: Record<string, unknown> = {};
  for (const name of names) row[name] = decode(item[name], name);
  return row;
}

export function columnsOf(list: string): readonly string[] {
  return list.split(',').map((column) => column.trim());
}

export function textAttribute(item: Item, name: string): string {
  const value = item[name]?.S;
  invariant(value !== undefined, `attribute ${name} is not text`);
  return value;
}

export function bigintAttribute(item: Item | undefined, name: string): bigint {
  const value = item?.[name]?.N;
  if (value === undefined) return 0n;
  invariant(/^-?[0-9]+$/.test(value), `attribute ${name} is not an integer`);
  return BigInt(value);
}
