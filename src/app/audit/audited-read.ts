// Reads of ledger data are audited (A2): who asked, what was asked and what was returned
// (sealed). The record is committed before the answer leaves, so no read goes unrecorded.
import type { TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import type { JsonValue } from '../ports/store.ts';
import { buildAuditEntry } from './audit-entry.ts';

export type AuditedRead = {
  readonly tenantId: TenantId;
  readonly initiator: string;
  readonly stream: string;
  readonly action: string;
  readonly transactionId?: string;
  readonly query: JsonValue;
  readonly response: JsonValue;
};

export async function recordRead(deps: Dependencies, read: AuditedRead): Promise<void> {
  const at = deps.clock.now();
  const entry = await buildAuditEntry(deps, read.tenantId, at, {
    stream: read.stream,
    action: read.action,
    initiator: read.initiator,
    status: 'READ',
    ...(read.transactionId === undefined ? {} : { transactionId: read.transactionId }),
    details: { query: read.query, response: read.response },
  });
  const committed = await deps.store.commit({ tenantId: read.tenantId, at, audit: [entry] });
  if (!committed.ok) throw new Error(`audit of a read was refused: ${committed.conflict.kind}`);
}
