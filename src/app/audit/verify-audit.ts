// Verifies a tenant's audit trail (A3): every chain re-hashed, every stream head and the
// latest checkpoint compared; the first record that was changed, removed or reordered is
// named. Also seals checkpoints, which the scheduler does periodically.
import type { TenantId } from '../../domain/ids.ts';
import { createAuditVerifier, type AuditVerification } from '../../domain/audit/verify-chain.ts';
import type { AuditCheckpoint } from '../../domain/audit/audit-record.ts';
import type { Dependencies } from '../dependencies.ts';

export async function verifyAuditTrail(deps: Pick<Dependencies, 'store'>, tenantId: TenantId): Promise<AuditVerification> {
  // Checkpoint, records and heads come from one snapshot, so appends made while the
  // verification runs are not mistaken for tampering.
  let verifier = createAuditVerifier();
  let sealed: AuditCheckpoint | null = null;
  const heads = await deps.store.scanAudit(tenantId, (checkpoint) => {
    sealed = checkpoint;
    verifier = createAuditVerifier({ checkpoint });
    return (record) => {
      verifier.visit(record);
    };
  });
  return verifier.finish(heads, sealed);
}

export async function sealAllCheckpoints(deps: Pick<Dependencies, 'store' | 'clock'>): Promise<number> {
  const tenants = await deps.store.listTenantIds();
  for (const tenantId of tenants) await deps.store.sealAuditCheckpoint(tenantId, deps.clock.now());
  return tenants.length;
}
