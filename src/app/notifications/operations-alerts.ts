// Operations alerts that several use cases raise (N1): a manual reversal waiting for a
// second person. Built here once so every path words it the same way.
import type { TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import type { RecordWrite } from '../ports/store.ts';
import { notificationRecord } from './enqueue-notification.ts';

export function approvalNeeded(
  deps: Pick<Dependencies, 'ids'>, tenantId: TenantId, at: number,
  reversalId: string, amountMinor: bigint, currency: string, requestedBy: string, reason: string,
): RecordWrite {
  return notificationRecord(deps.ids, tenantId, at, {
    audience: 'operations', template: 'reversal.approval_needed', source: `reversal:${reversalId}`,
    data: { amount_minor: amountMinor.toString(), currency, reversal_reference: reversalId, requested_by: requestedBy, reason: reason.slice(0, 500) },
  });
}
