// The settlement statement (V6): the switch's or settlement bank's list of the day's
// inter-bank transfers, as CSV. The format is fixed and strict (docs/guides/reconciliation.md):
//
//   reference,amount,currency,status,value_date,bank_code,session_id
//   TRF-0001,1500.00,NGN,successful,2026-11-27,058,000015261127101500000000000001
//
// No field can contain a comma, a quote or a line break, so a line is split on commas and
// any quote is refused: a small strict reader instead of a general CSV library. Rows are
// read one at a time (constant memory per row); a bad row refuses the whole statement with
// its line number and column, before anything is written. Amounts are exact decimals in
// major units, parsed to integer minor units (never a float).
import { parseAmount } from '../money/money.ts';
import { isCurrencyCode, type CurrencyCode } from '../money/currencies.ts';
import { refuse, type Refusal } from '../result.ts';
import { isCalendarDate, type CalendarDate } from '../timelines/lagos-dates.ts';

export const statementColumns = ['reference', 'amount', 'currency', 'status', 'value_date', 'bank_code', 'session_id'] as const;
export const statementHeader = statementColumns.join(',');
export const statementStatuses = ['successful', 'failed', 'reversed', 'pending'] as const;
export type StatementStatus = (typeof statementStatuses)[number];

export type StatementRow = {
  readonly line: number;
  readonly reference: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly status: StatementStatus;
  readonly valueDate: CalendarDate;
  readonly bankCode: string;
  readonly sessionId: string;
};

/** Rows by reference; a reference listed again is kept apart as a duplicate (a mismatch, not a bad row). */
export type Statement = {
  readonly rows: ReadonlyMap<string, StatementRow>;
  readonly duplicates: readonly StatementRow[];
};

export type StatementRefusal = Refusal<'invalid_statement'>;

const referencePattern = /^[A-Za-z0-9._:/-]{1,64}$/;
const bankCodePattern = /^[0-9]{3,6}$/;
const sessionIdPattern = /^[A-Za-z0-9]{0,40}$/;

function bad(line: number, column: string, detail: string): StatementRefusal {
  return refuse('invalid_statement', `statement.${column}`, `line ${line}: ${detail}`);
}

function isStatus(value: string): value is StatementStatus {
  return (statementStatuses as readonly string[]).includes(value);
}

/** One data row, or why it is refused. `date`: the only value date allowed, when given. */
export function parseStatementRow(text: string, line: number, date?: CalendarDate): StatementRow | StatementRefusal {
  if (text.includes('"')) return bad(line, 'row', 'quotes are not allowed (no field needs them)');
  const fields = text.split(',');
  if (fields.length !== statementColumns.length) return bad(line, 'row', `expected ${statementColumns.length} fields, found ${fields.length}`);
  const [reference, amount, currency, status, valueDate, bankCode, sessionId] = fields as [string, string, string, string, string, string, string];
  if (!referencePattern.test(reference)) return bad(line, 'reference', 'must be 1 to 64 letters, digits or . _ : / -');
  if (!isCurrencyCode(currency)) return bad(line, 'currency', 'must be an ISO 4217 code such as NGN');
  const parsed = parseAmount(amount, currency, { field: 'amount' });
  if (!parsed.ok) return bad(line, 'amount', `${parsed.detail ?? 'is not valid'} (decimal major units such as 1500.00)`);
  if (!isStatus(status)) return bad(line, 'status', `must be one of ${statementStatuses.join(', ')}`);
  if (!isCalendarDate(valueDate)) return bad(line, 'value_date', 'must be a date YYYY-MM-DD');
  if (date !== undefined && valueDate !== date) return bad(line, 'value_date', `must be the reconciled day ${date}`);
  if (!bankCodePattern.test(bankCode)) return bad(line, 'bank_code', 'must be 3 to 6 digits');
  if (!sessionIdPattern.test(sessionId)) return bad(line, 'session_id', 'must be at most 40 letters or digits (may be empty)');
  return { line, reference, amountMinor: parsed.value, currency, status, valueDate, bankCode, sessionId };
}

/** Reads a statement line by line: feed every line, then take the result. */
export class StatementReader {
  readonly #rows = new Map<string, StatementRow>();
  readonly #duplicates: StatementRow[] = [];
  readonly #date: CalendarDate | undefined;
  #line = 0;
  #refusal: StatementRefusal | null = null;

  constructor(date?: CalendarDate) {
    this.#date = date;
  }

  /** Takes the next line (without its line break); false once the statement is refused. */
  add(raw: string): boolean {
    if (this.#refusal !== null) return false;
    this.#line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.#line === 1) {
      const header = text.startsWith('\uFEFF') ? text.slice(1) : text;
      if (header !== statementHeader) this.#refusal = bad(1, 'header', `the first line must be exactly "${statementHeader}"`);
      return this.#refusal === null;
    }
    if (text.trim() === '') return true;
    const row = parseStatementRow(text, this.#line, this.#date);
    if ('ok' in row) {
      this.#refusal = row;
      return false;
    }
    if (this.#rows.has(row.reference)) this.#duplicates.push(row);
    else this.#rows.set(row.reference, row);
    return true;
  }

  get lines(): number {
    return this.#line;
  }

  result(): { ok: true; value: Statement } | StatementRefusal {
    if (this.#refusal !== null) return this.#refusal;
    if (this.#line === 0) return bad(1, 'header', `the statement is empty; the first line must be "${statementHeader}"`);
    return { ok: true, value: { rows: this.#rows, duplicates: this.#duplicates } };
  }
}

/** The lines of a text, one at a time, without splitting it into an array first. */
export function* linesOf(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      yield text.slice(start);
      return;
    }
    yield text.slice(start, end);
    start = end + 1;
  }
}

export function readStatement(lines: Iterable<string>, date?: CalendarDate): { ok: true; value: Statement } | StatementRefusal {
  const reader = new StatementReader(date);
  for (const line of lines) if (!reader.add(line)) break;
  return reader.result();
}

export async function readStatementStream(lines: AsyncIterable<string>, date?: CalendarDate, onLine?: (line: number) => void): Promise<{ ok: true; value: Statement } | StatementRefusal> {
  const reader = new StatementReader(date);
  for await (const line of lines) {
    if (!reader.add(line)) break;
    onLine?.(reader.lines);
  }
  return reader.result();
}
