// Listing disputes (D1; audited like every read): filtered by status through the status
// index, and by priority and assignee as the page is read, in cursor pages.
import type { DisputePriority, DisputeStatus } from '../../domain/disputes/dispute-lifecycle.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import { disputeFromRecord, disputeIndexKey, disputeKind, type Dispute } from './dispute-record.ts';
import { disputeView } from './dispute-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** Records read from the store for one filtered page at most: a filter never turns into a scan of everything. */
export const disputeScanPerPageMax = 1000;

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
  const data: JsonObject[] = [];
  let cursor = filter.cursor;
  let scanned = 0;
  let nextCursor: string | null = null;
  do {
    const page = await deps.store.listRecords(principal.tenantId, disputeKind, {
      limit: filter.limit - data.length, ...(cursor === undefined ? {} : { cursor }), ...(filter.status === undefined ? {} : { indexKey: disputeIndexKey(filter.status) }),
    });
    scanned += page.items.length;
    for (const record of page.items) {
      const dispute = disputeFromRecord(record);
      if (matches(dispute, filter)) data.push(disputeView(dispute));
    }
    nextCursor = page.nextCursor;
    cursor = nextCursor ?? undefined;
  } while (data.length < filter.limit && cursor !== undefined && scanned < disputeScanPerPageMax);
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'disputes', action: 'dispute.list',
    query: { status: filter.status ?? null, priority: filter.priority ?? null, assignee: filter.assignedTo ?? null, cursor: filter.cursor ?? null }, response: { count: data.length },
  });
  return { statusCode: 200, body: { message: 'Disputes found.', status: 'ok', data, next_cursor: nextCursor } };
}
