// Listing disputes (D1; audited like every read): filtered by status through the status
// index, and by priority and assignee as the page is read, in cursor pages.
import type { DisputePriority, DisputeStatus } from '../../domain/disputes/dispute-lifecycle.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Reply } from '../shared/reply.ts';
import { filteredPage } from '../shared/filtered-page.ts';
import { disputeFromRecord, disputeIndexKey, disputeKind, type Dispute } from './dispute-record.ts';
import { disputeView } from './dispute-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type DisputeFilter = {
  readonly status?: DisputeStatus;
  readonly priority?: DisputePriority;
  readonly assignedTo?: string;
  readonly limit: number;
  readonly cursor?: string;
};

function matches(dispute: Dispute, filter: DisputeFilter): boolean {
  return (filter.priority === undefined || dispute.priority === filter.priority)
    && (filter.assignedTo === undefined || dispute.assignedTo === filter.assignedTo);
}

export async function listDisputes(deps: Dependencies, principal: TenantPrincipal, filter: DisputeFilter): Promise<Reply> {
  const request = { kind: disputeKind, limit: filter.limit, cursor: filter.cursor, indexKey: filter.status === undefined ? undefined : disputeIndexKey(filter.status) };
  const { data, nextCursor } = await filteredPage(deps.store, principal.tenantId, request, (record) => {
    const dispute = disputeFromRecord(record);
    return matches(dispute, filter) ? disputeView(dispute) : null;
  });
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'disputes', action: 'dispute.list',
    query: { status: filter.status ?? null, priority: filter.priority ?? null, assignee: filter.assignedTo ?? null, cursor: filter.cursor ?? null }, response: { count: data.length },
  });
  return { statusCode: 200, body: { message: 'Disputes found.', status: 'ok', data, next_cursor: nextCursor } };
}
