// Reading reversals (V4, V5; audited like every ledger read): one by its TXR reference with
// its failed transaction, or a page of them filtered by status, failure type and time.
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { FailureType } from '../../domain/interbank/failure-type.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import { filteredPage } from '../shared/filtered-page.ts';
import { failedTransactionFromRecord, failedTransactionKind } from './failed-transaction-record.ts';
import { reversalFromRecord, reversalIndexKey, reversalKind, type Reversal, type ReversalStatus } from './reversal-record.ts';
import { failedTransactionView, reversalView } from './reversal-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function getReversal(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Result<Reply, 'reversal_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, reversalKind, id);
  if (record === null) return refuse('reversal_not_found', 'id');
  const reversal = reversalFromRecord(record);
  const failedRecord = await deps.store.getRecord(principal.tenantId, failedTransactionKind, reversal.failedTransactionId);
  const view: JsonObject = { ...reversalView(reversal), failed_transaction: failedRecord === null ? null : failedTransactionView(failedTransactionFromRecord(failedRecord)) };
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${reversal.transferReference}`, action: 'reversal.read',
    transactionId: reversal.transferReference, query: { reversal_id: id }, response: view,
  });
  return ok({ statusCode: 200, body: { message: 'Reversal found.', ...view } });
}

export type ReversalFilter = {
  readonly status?: ReversalStatus;
  readonly failureType?: FailureType;
  readonly fromAt?: number;
  readonly toAt?: number;
  readonly limit: number;
  readonly cursor?: string;
};

function matches(reversal: Reversal, filter: ReversalFilter): boolean {
  return (filter.failureType === undefined || reversal.failureType === filter.failureType)
    && (filter.fromAt === undefined || reversal.createdAt >= filter.fromAt)
    && (filter.toAt === undefined || reversal.createdAt <= filter.toAt);
}

export async function listReversals(deps: Dependencies, principal: TenantPrincipal, filter: ReversalFilter): Promise<Reply> {
  const request = { kind: reversalKind, limit: filter.limit, cursor: filter.cursor, indexKey: filter.status === undefined ? undefined : reversalIndexKey(filter.status) };
  const { data, nextCursor } = await filteredPage(deps.store, principal.tenantId, request, (record) => {
    const reversal = reversalFromRecord(record);
    return matches(reversal, filter) ? reversalView(reversal) : null;
  });
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'reversals', action: 'reversal.list',
    query: { status: filter.status ?? null, type: filter.failureType ?? null, cursor: filter.cursor ?? null }, response: { count: data.length },
  });
  return { statusCode: 200, body: { message: 'Reversals found.', status: 'ok', data, next_cursor: nextCursor } };
}
