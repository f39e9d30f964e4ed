// Builds PaymentAuditTrail records (A1, A2) for use cases: the plain fields an auditor
// searches by, and the query/response details sealed under the key vault with the tenant
// and record id as encryption context, so a ciphertext cannot be moved to another record.
import type { AuditAppend } from '../../domain/audit/audit-record.ts';
import type { AuditRecordId, TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import type { JsonValue } from '../ports/store.ts';

export type AuditFields = {
  readonly stream: string;
  readonly action: string;
  readonly initiator: string;
  readonly status: string;
  readonly transactionId?: string;
  readonly refundId?: string;
  readonly reversalId?: string;
  readonly amount?: string;
  readonly currency?: string;
  readonly reason?: string;
  /** What was asked and what was answered; sealed before it is stored. */
  readonly details?: { readonly query?: JsonValue; readonly response?: JsonValue };
};

export function auditContext(tenantId: TenantId, recordId: string): Record<string, string> {
  return { tenant_id: tenantId, audit_record_id: recordId, purpose: 'audit_details' };
}

export async function buildAuditEntry(
  deps: Pick<Dependencies, 'vault' | 'ids'>,
  tenantId: TenantId,
  at: number,
  fields: AuditFields,
): Promise<AuditAppend> {
  const id = deps.ids.next('aud') as AuditRecordId;
  const { details, ...plain } = fields;
  const sealed = details === undefined
    ? undefined
    : await deps.vault.seal(new TextEncoder().encode(JSON.stringify(details)), auditContext(tenantId, id));
  return { id, at, ...plain, ...(sealed === undefined ? {} : { details: sealed }) };
}
