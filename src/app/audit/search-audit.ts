// Auditors search the PaymentAuditTrail by transaction, initiator, action and time (A5)
// and alone see the decrypted query and response details.
import type { AuditRecord } from '../../domain/audit/audit-record.ts';
import { ok, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import type { AuditFilter, JsonObject, JsonValue, PageRequest } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import type { Principal } from '../access/principal.ts';
import { auditContext } from './audit-entry.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

async function openDetails(deps: Dependencies, record: AuditRecord): Promise<JsonValue> {
  if (record.details === undefined) return null;
  try {
    const plaintext = await deps.vault.open(record.details, auditContext(record.tenantId, record.id));
    return JSON.parse(new TextDecoder().decode(plaintext)) as JsonValue;
  } catch {
    // A record whose details no longer open has been tampered with; verify names it.
    return { unreadable: true };
  }
}

export async function auditRecordView(deps: Dependencies, record: AuditRecord): Promise<JsonObject> {
  return {
    id: record.id,
    stream: record.stream,
    sequence: record.sequence,
    timestamp: new Date(record.at).toISOString(),
    action: record.action,
    initiator: record.initiator,
    transaction_id: record.transactionId ?? null,
    refund_id: record.refundId ?? null,
    reversal_id: record.reversalId ?? null,
    amount: record.amount ?? null,
    currency: record.currency ?? null,
    status: record.status,
    reason: record.reason ?? null,
    details: await openDetails(deps, record),
    previous_hash: record.previousHash,
    hash: record.hash,
  };
}

export async function searchAudit(
  deps: Dependencies,
  principal: TenantPrincipal,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Result<Reply, never>> {
  const found = await deps.store.listAudit(principal.tenantId, filter, page);
  const data = await Promise.all(found.items.map((record) => auditRecordView(deps, record)));
  return ok({ statusCode: 200, body: { message: 'Audit records found.', status: 'success', data, next_cursor: found.nextCursor } });
}
