// A deterministic text of every table's rows, for tests that must prove a refused
// operation left the database byte-identical. Not part of the port.
import type { Sql } from './sql.ts';
import { textOf } from '../rows/row-values.ts';

function formatValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value.toString()}n`;
  if (value === null) return 'NULL';
  if (typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  throw new TypeError(`unexpected column value of type ${typeof value}`);
}

function dumpTable(sql: Sql, table: string): string[] {
  const columnCount = sql.all(`SELECT name FROM pragma_table_info(?)`, table).length;
  const orderBy = Array.from({ length: columnCount }, (_, index) => String(index + 1)).join(', ');
  const rows = sql.all(`SELECT * FROM "${table}" ORDER BY ${orderBy}`);
  return [`[${table}] ${rows.length} rows`, ...rows.map((row) => Object.entries(row).map(([column, value]) => `${column}=${formatValue(value)}`).join(' '))];
}

/** Every table, SQLite's own autoincrement counters included: a rolled back changeset leaves no trace there either. */
export function dumpState(sql: Sql): string {
  const tables = sql.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .map((row) => textOf(row, 'name'));
  return tables.flatMap((table) => dumpTable(sql, table)).join('\n');
}
