// The dispute queue (D1): every dispute not yet resolved, with its deadline.
import { listAll, type ApiClient } from './api-client.ts';
import { dataTable, replaceContent, showMessage } from './dom.ts';
import { formatMoney, textOf } from './wire-values.ts';

export async function loadDisputes(api: ApiClient): Promise<void> {
  const listed = await listAll(api, '/api/v1/transactions/reversals/disputes', {});
  if ('error' in listed) {
    showMessage('disputes-message', `Disputes: ${listed.error}`);
    replaceContent('disputes-table');
    return;
  }
  showMessage('disputes-message', listed.complete ? '' : 'Showing the first 1,000 disputes.');
  const open = listed.items.filter((dispute) => dispute['status'] !== 'resolved');
  const rows = open.map((dispute) => [
    textOf(dispute, 'dispute_reference'), textOf(dispute, 'status'), textOf(dispute, 'priority'), textOf(dispute, 'customer_id'),
    textOf(dispute, 'transfer_reference'), formatMoney(dispute['amount'], dispute['currency']), textOf(dispute, 'due_at'), textOf(dispute, 'assigned_to'),
  ]);
  const columns = [
    { label: 'Dispute' }, { label: 'Status' }, { label: 'Priority' }, { label: 'Customer' },
    { label: 'Transfer' }, { label: 'Amount', numeric: true }, { label: 'Due' }, { label: 'Assigned to' },
  ];
  replaceContent('disputes-table', dataTable('Disputes not yet resolved', columns, rows, 'No dispute is open.'));
}
