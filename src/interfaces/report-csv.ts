// CSV of the compliance reports (D2, D3), for the HTTP API (`Accept: text/csv`) and the CLI
// (`contra report --csv`): RFC 4180 cells, one header row.
import type { JsonObject, JsonValue } from '../app/ports/store.ts';

export const cbnReportCsvColumns = [
  'report_id', 'period', 'status', 'total_failures', 'resolved_as_success', 'automatic_reversals', 'manual_reversals',
  'reversed_within_timeline', 'reversed_beyond_timeline', 'pending_within_timeline', 'pending_beyond_timeline',
  'reversed_amount', 'penalty_exposure', 'currency', 'compliance_rate', 'generated_at', 'submitted_at', 'cbn_reference',
] as const;

export function csvCell(value: JsonValue | undefined): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report's cells in column order (its figures flattened beside its other fields). */
export function reportCsvCells(body: JsonObject): string[] {
  const figures = body['figures'];
  const flat: JsonObject = { ...(typeof figures === 'object' && figures !== null && !Array.isArray(figures) ? figures : {}), ...body };
  return cbnReportCsvColumns.map((column) => csvCell(flat[column]));
}

/** One header row and one data row, RFC 4180. */
export function reportCsv(body: JsonObject): string {
  return `${cbnReportCsvColumns.join(',')}\r\n${reportCsvCells(body).join(',')}\r\n`;
}
