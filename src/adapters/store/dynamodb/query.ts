// Queries over one partition of a table or GSI: every page of it, or one page for the
// port with an opaque cursor. A cursor carries the last item's keys and is refused unless
// it points into the very partition being listed (so it cannot reach another tenant).
import { QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError, type Page, type PageRequest } from '../../../app/ports/store.ts';
import { pageSize } from '../rows/paging.ts';
import { text, type Item } from './attributes.ts';
import type { IndexName } from './keys.ts';

export type SortCondition =
  | { readonly between: readonly [string, string] }
  | { readonly lessThan: string }
  | { readonly greaterThan: string }
  | { readonly beginsWith: string };

export type PartitionQuery = {
  readonly table: string;
  readonly index?: IndexName;
  readonly partition: string;
  readonly sort?: SortCondition;
  /** A filter over attributes; names and values use the `#f…` and `:f…` prefixes. */
  readonly filter?: { readonly expression: string; readonly names: Record<string, string>; readonly values: Record<string, AttributeValue> };
  readonly descending?: boolean;
  /** Strongly consistent: only for the table itself, never a GSI. */
  readonly consistent?: boolean;
};

const cursorPrefix = 'k1.';

function keyNames(index: IndexName | undefined): { partition: string; sort: string } {
  return index === undefined ? { partition: 'pk', sort: 'sk' } : { partition: `${index}pk`, sort: `${index}sk` };
}

function sortExpression(condition: SortCondition): { expression: string; values: Record<string, AttributeValue> } {
  if ('between' in condition) return { expression: '#sk BETWEEN :low AND :high', values: { ':low': text(condition.between[0]), ':high': text(condition.between[1]) } };
  if ('lessThan' in condition) return { expression: '#sk < :bound', values: { ':bound': text(condition.lessThan) } };
  if ('greaterThan' in condition) return { expression: '#sk > :bound', values: { ':bound': text(condition.greaterThan) } };
  return { expression: 'begins_with(#sk, :prefix)', values: { ':prefix': text(condition.beginsWith) } };
}

function commandInput(query: PartitionQuery, limit: number | undefined, startKey: Item | undefined): QueryCommandInput {
  const names = keyNames(query.index);
  const sort = query.sort === undefined ? null : sortExpression(query.sort);
  return {
    TableName: query.table,
    ...(query.index === undefined ? {} : { IndexName: query.index }),
    KeyConditionExpression: sort === null ? '#pk = :pk' : `#pk = :pk AND ${sort.expression}`,
    ExpressionAttributeNames: { '#pk': names.partition, ...(sort === null ? {} : { '#sk': names.sort }), ...query.filter?.names },
    ExpressionAttributeValues: { ':pk': text(query.partition), ...sort?.values, ...query.filter?.values },
    ...(query.filter === undefined ? {} : { FilterExpression: query.filter.expression }),
    ScanIndexForward: query.descending !== true,
    ConsistentRead: query.consistent === true,
    ...(limit === undefined ? {} : { Limit: limit }),
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/** Up to `count` items in key order (all of them without a count), following DynamoDB's pages. */
export async function queryItems(client: DynamoDBClient, query: PartitionQuery, count?: number, startKey?: Item): Promise<Item[]> {
  const items: Item[] = [];
  let next = startKey;
  do {
    const remaining = count === undefined ? undefined : count - items.length;
    // With a filter, DynamoDB counts the items it examined: ask for more than are missing.
    const limit = remaining === undefined || query.filter !== undefined ? undefined : remaining;
    const output = await client.send(new QueryCommand(commandInput(query, limit, next)));
    items.push(...(output.Items ?? []));
    next = output.LastEvaluatedKey;
  } while (next !== undefined && (count === undefined || items.length < count));
  return count === undefined ? items : items.slice(0, count);
}

function keyOf(item: Item, index: IndexName | undefined): Record<string, string> {
  const names = ['pk', 'sk', ...(index === undefined ? [] : [`${index}pk`, `${index}sk`])];
  const key: Record<string, string> = {};
  for (const name of names) {
    const value = item[name]?.S;
    if (value !== undefined) key[name] = value;
  }
  return key;
}

function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(cursorPrefix + JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, query: PartitionQuery): Item {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(cursorPrefix)) throw new InvalidCursorError('invalid page cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.slice(cursorPrefix.length));
  } catch {
    throw new InvalidCursorError('invalid page cursor');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidCursorError('invalid page cursor');
  const names = keyNames(query.index);
  const expected = ['pk', 'sk', ...(query.index === undefined ? [] : [names.partition, names.sort])];
  const entries = Object.entries(parsed);
  const key: Item = {};
  for (const [name, value] of entries) {
    if (!expected.includes(name) || typeof value !== 'string') throw new InvalidCursorError('invalid page cursor');
    key[name] = text(value);
  }
  if (entries.length !== expected.length || key[names.partition]?.S !== query.partition) throw new InvalidCursorError('invalid page cursor');
  return key;
}

/** One page for the port: at most pageSizeMax items, and a cursor when more may follow. */
export async function queryPage(client: DynamoDBClient, query: PartitionQuery, request: PageRequest): Promise<Page<Item>> {
  const size = pageSize(request);
  const startKey = request.cursor === undefined ? undefined : decodeCursor(request.cursor, query);
  const items = await queryItems(client, query, size + 1, startKey);
  const pageItems = items.slice(0, size);
  const last = pageItems[pageItems.length - 1];
  return { items: pageItems, nextCursor: items.length > size && last !== undefined ? encodeCursor(keyOf(last, query.index)) : null };
}
