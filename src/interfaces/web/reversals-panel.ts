// Reversals waiting for approval (V4), with Approve and Reject for each. The API decides
// who may: a refusal (the requester approving its own request, a missing role, a missing
// reason) is shown in its own words.
import type { ApiClient } from './api-client.ts';
import { dataTable, element, replaceContent, showMessage } from './dom.ts';
import { formatMoney, textOf, type WireRecord } from './wire-values.ts';

const reversalsPath = '/api/v1/transactions/reversals';

async function decide(api: ApiClient, id: string, decision: 'approve' | 'reject', reason: string, afterwards: () => Promise<void>): Promise<void> {
  showMessage('reversals-message', `Sending the ${decision === 'approve' ? 'approval' : 'rejection'} of ${id}…`);
  const path = `${reversalsPath}/${encodeURIComponent(id)}/${decision}`;
  const answer = await api.post(path, decision === 'reject' ? { reason } : undefined);
  if (!answer.ok) {
    showMessage('reversals-message', `${id} was not ${decision === 'approve' ? 'approved' : 'rejected'}: ${answer.message}`);
    return;
  }
  await afterwards();
  showMessage('reversals-message', `${id} ${decision === 'approve' ? 'approved: the sender has the money back' : 'rejected'}.`);
}

function decisionCell(api: ApiClient, id: string, afterwards: () => Promise<void>): HTMLElement {
  const reason = element('input', { type: 'text', maxlength: '500', 'aria-label': `Reason to reject ${id}`, placeholder: 'Reason to reject' });
  const approve = element('button', { type: 'button', 'aria-label': `Approve ${id}` }, ['Approve']);
  const reject = element('button', { type: 'button', 'aria-label': `Reject ${id}` }, ['Reject']);
  approve.addEventListener('click', () => void decide(api, id, 'approve', '', afterwards));
  reject.addEventListener('click', () => void decide(api, id, 'reject', reason.value, afterwards));
  return element('div', { class: 'decision' }, [approve, ' ', reason, ' ', reject]);
}

export function renderPendingReversals(api: ApiClient, reversals: readonly WireRecord[], afterwards: () => Promise<void>): void {
  const rows = reversals.map((reversal) => {
    const id = textOf(reversal, 'reversal_id');
    return [
      id, textOf(reversal, 'transfer_reference'), formatMoney(reversal['amount'], reversal['currency']), textOf(reversal, 'failure_type'),
      textOf(reversal, 'channel'), textOf(reversal, 'requester'), textOf(reversal, 'created_at'), decisionCell(api, id, afterwards),
    ];
  });
  const columns = [
    { label: 'Reversal' }, { label: 'Transfer' }, { label: 'Amount', numeric: true }, { label: 'Failure' },
    { label: 'Channel' }, { label: 'Requested by' }, { label: 'Requested at' }, { label: 'Decision' },
  ];
  replaceContent('reversals-table', dataTable('Reversals waiting for approval', columns, rows, 'No reversal is waiting for approval.'));
}
