// Select lists of the PostgreSQL tables, shaped for the shared row codecs: integers come
// back as bigint and JSON as text (see pg.ts); booleans are cast to 0/1 (an int4, which also comes back as bigint).
import { accountColumns, transferColumns } from '../rows/journal-codecs.ts';

function prefixed(columns: string, alias: string): string {
  return columns.split(', ').map((name) => `${alias}.${name}`).join(', ');
}

export function accountSelect(alias: string): string {
  return prefixed(accountColumns, alias).replace(`${alias}.allow_negative`, `${alias}.allow_negative::int AS allow_negative`);
}

export function transferSelect(alias: string): string {
  return prefixed(transferColumns, alias);
}
