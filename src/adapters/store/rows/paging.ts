// Pages of the store's lists: the requested size capped at pageSizeMax, and opaque
// cursors that carry the position (an increasing row number) after which to continue.
import { InvalidCursorError, pageSizeMax, type Page, type PageRequest } from '../../../app/ports/store.ts';
import type { Row } from './row.ts';
import { bigintOf } from './row-values.ts';

const cursorPrefix = 'c1.';
const positionPattern = /^[0-9]{1,19}$/;
const positionMax = 2n ** 63n - 1n;

export function pageSize(request: PageRequest): number {
  if (!Number.isFinite(request.limit)) return pageSizeMax;
  return Math.min(pageSizeMax, Math.max(1, Math.trunc(request.limit)));
}

export function encodeCursor(position: bigint): string {
  return Buffer.from(`${cursorPrefix}${position.toString()}`, 'utf8').toString('base64url');
}

/** The position after which a page starts; 0 for the first page. A forged cursor is refused. */
export function cursorPosition(request: PageRequest): bigint {
  if (request.cursor === undefined) return 0n;
  const decoded = Buffer.from(request.cursor, 'base64url').toString('utf8');
  const position = decoded.startsWith(cursorPrefix) ? decoded.slice(cursorPrefix.length) : '';
  if (!positionPattern.test(position)) throw new InvalidCursorError('invalid page cursor');
  const value = BigInt(position);
  // Row numbers are 64-bit signed integers in both databases: a larger one was never handed out.
  if (value > positionMax) throw new InvalidCursorError('invalid page cursor');
  return value;
}

/**
 * Builds a page from rows fetched with `LIMIT size + 1`: the extra row only tells that
 * another page exists, and the cursor points after the last row returned.
 */
export function toPage<T>(rows: readonly Row[], size: number, positionColumn: string, decode: (row: Row) => T): Page<T> {
  const pageRows = rows.slice(0, size);
  const last = pageRows[pageRows.length - 1];
  const more = rows.length > size && last !== undefined;
  return {
    items: pageRows.map(decode),
    nextCursor: more ? encodeCursor(bigintOf(last, positionColumn)) : null,
  };
}
