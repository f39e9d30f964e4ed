// Audit search (A5): filters by transaction, initiator, action and Lagos dates. Auditors
// see the records with their decrypted details; any other key sees the API's refusal.
import type { ApiClient } from './api-client.ts';
import { byId, dataTable, element, replaceContent, showMessage } from './dom.ts';
import { isRecord, recordsOf, textOf } from './wire-values.ts';
import { isCalendarDate, lagosEndOf, lagosStartOf } from '../../domain/timelines/lagos-dates.ts';

function dateBound(inputId: string, bound: (date: string) => number): string | undefined {
  const value = byId(inputId, HTMLInputElement).value;
  return isCalendarDate(value) ? new Date(bound(value)).toISOString() : undefined;
}

export async function searchAudit(api: ApiClient): Promise<void> {
  const field = (id: string): string => byId(id, HTMLInputElement).value.trim();
  showMessage('audit-message', 'Searching…');
  const answer = await api.get('/api/v1/audit', {
    transaction_id: field('audit-transaction'), initiator: field('audit-initiator'), action: field('audit-action'),
    from: dateBound('audit-from', lagosStartOf), to: dateBound('audit-to', lagosEndOf), limit: '100',
  });
  if (!answer.ok) {
    showMessage('audit-message', `Audit search: ${answer.message}`);
    replaceContent('audit-results');
    return;
  }
  const records = recordsOf(answer.body, 'data');
  showMessage('audit-message', `${records.length} record${records.length === 1 ? '' : 's'} found${typeof answer.body['next_cursor'] === 'string' ? ' (the first 100)' : ''}.`);
  const rows = records.map((record) => [
    textOf(record, 'timestamp'), textOf(record, 'action'), textOf(record, 'initiator'), textOf(record, 'transaction_id'), textOf(record, 'status'),
    isRecord(record['details']) ? element('pre', {}, [JSON.stringify(record['details'], null, 2)]) : '—',
  ]);
  const columns = [{ label: 'At' }, { label: 'Action' }, { label: 'Initiator' }, { label: 'Transaction' }, { label: 'Status' }, { label: 'Details' }];
  replaceContent('audit-results', dataTable('Audit records found', columns, rows, 'No audit record matches.'));
}
