// Reading reconciliation runs (V6; audited like every ledger read): one log by its id, or a
// page of them, newest last, filtered by run type and start time.
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Reply } from '../shared/reply.ts';
import { filteredPage } from '../shared/filtered-page.ts';
import {
  reconciliationIndexKey, reconciliationLogFromRecord, reconciliationLogKind, reconciliationLogView, type ReconciliationLog, type ReconciliationType,
} from './reconciliation-record.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function getReconciliation(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Result<Reply, 'reconciliation_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, reconciliationLogKind, id);
  if (record === null) return refuse('reconciliation_not_found', 'id');
  const view = reconciliationLogView(reconciliationLogFromRecord(record));
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'reconciliations', action: 'reconciliation.read',
    query: { reconciliation_id: id }, response: { mismatches_found: view['mismatches_found'] ?? null },
  });
  return ok({ statusCode: 200, body: { message: 'Reconciliation found.', ...view } });
}

export type ReconciliationFilter = {
  readonly type?: ReconciliationType;
  readonly fromAt?: number;
  readonly toAt?: number;
  readonly limit: number;
  readonly cursor?: string;
};

function matches(log: ReconciliationLog, filter: ReconciliationFilter): boolean {
  return (filter.fromAt === undefined || log.runStartedAt >= filter.fromAt) && (filter.toAt === undefined || log.runStartedAt <= filter.toAt);
}

/** A page of runs without their mismatch lists (read one run for those). */
export async function listReconciliations(deps: Dependencies, principal: TenantPrincipal, filter: ReconciliationFilter): Promise<Reply> {
  const request = { kind: reconciliationLogKind, limit: filter.limit, cursor: filter.cursor, indexKey: filter.type === undefined ? undefined : reconciliationIndexKey(filter.type) };
  const { data, nextCursor } = await filteredPage(deps.store, principal.tenantId, request, (record) => {
    const log = reconciliationLogFromRecord(record);
    if (!matches(log, filter)) return null;
    const { mismatches: _omitted, ...summary } = reconciliationLogView(log);
    return summary;
  });
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'reconciliations', action: 'reconciliation.list',
    query: { type: filter.type ?? null, cursor: filter.cursor ?? null }, response: { count: data.length },
  });
  return { statusCode: 200, body: { message: 'Reconciliations found.', status: 'ok', data, next_cursor: nextCursor } };
}
