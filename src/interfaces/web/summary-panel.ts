// The summary tiles and the pending-reversal table (T5): reversals waiting for approval,
// automatic reversals and manual reviews since midnight in Lagos, and this month's CBN
// compliance: reversals within the CBN timeline over all reversals done.
import { listAll, type ApiClient } from './api-client.ts';
import { showMessage, byId } from './dom.ts';
import { renderPendingReversals } from './reversals-panel.ts';
import { countOf, isRecord, percentOf } from './wire-values.ts';
import { lagosDateOf, lagosStartOf } from '../../domain/timelines/lagos-dates.ts';

const reversalsPath = '/api/v1/transactions/reversals';

function setTile(id: string, value: string): void {
  byId(id, HTMLElement).textContent = value;
}

function counted(count: number, complete: boolean): string {
  return complete ? String(count) : `${count}+`;
}

export async function loadReversals(api: ApiClient, refresh: () => Promise<void>): Promise<string[]> {
  const today = lagosDateOf(Date.now());
  const [pending, sinceMidnight] = await Promise.all([
    listAll(api, reversalsPath, { status: 'PENDING_APPROVAL' }),
    listAll(api, reversalsPath, { from: new Date(lagosStartOf(today)).toISOString() }),
  ]);
  const problems: string[] = [];
  if ('error' in pending) {
    problems.push(`Pending reversals: ${pending.error}`);
    setTile('tile-pending', '—');
    renderPendingReversals(api, [], refresh);
  } else {
    setTile('tile-pending', counted(pending.items.length, pending.complete));
    renderPendingReversals(api, pending.items, refresh);
  }
  if ('error' in sinceMidnight) {
    problems.push(`Reversals today: ${sinceMidnight.error}`);
    setTile('tile-automatic', '—');
    setTile('tile-manual', '—');
  } else {
    const automatic = sinceMidnight.items.filter((reversal) => reversal['mode'] === 'automatic' && reversal['status'] === 'COMPLETED');
    const manual = sinceMidnight.items.filter((reversal) => reversal['mode'] === 'manual');
    setTile('tile-automatic', counted(automatic.length, sinceMidnight.complete));
    setTile('tile-manual', counted(manual.length, sinceMidnight.complete));
  }
  return problems;
}

export async function loadCompliance(api: ApiClient): Promise<string[]> {
  const period = lagosDateOf(Date.now()).slice(0, 7);
  const answer = await api.get('/api/v1/transactions/reversals/compliance/cbn', { period });
  if (!answer.ok) {
    setTile('tile-compliance', '—');
    return [`CBN compliance: ${answer.message}`];
  }
  const figures = isRecord(answer.body['figures']) ? answer.body['figures'] : {};
  const within = countOf(figures, 'reversed_within_timeline');
  const beyond = countOf(figures, 'reversed_beyond_timeline');
  setTile('tile-compliance', percentOf(within, within + beyond) ?? 'no reversals yet');
  return [];
}

export async function loadSummary(api: ApiClient, refresh: () => Promise<void>): Promise<void> {
  const problems = (await Promise.all([loadReversals(api, refresh), loadCompliance(api)])).flat();
  showMessage('summary-message', problems.join(' '));
}
