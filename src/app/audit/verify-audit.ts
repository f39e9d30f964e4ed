// Verifies a tenant's audit trail (A3): every chain re-hashed, every stream head, the
// latest checkpoint and the whole checkpoint chain compared; the first record that was
// changed, removed or reordered is named. Also seals checkpoints, which the scheduler does
// periodically.
import type { TenantId } from '../../domain/ids.ts';
import { CheckpointChain, createAuditVerifier, type AuditVerification } from '../../domain/audit/verify-chain.ts';
import type { AuditCheckpoint } from '../../domain/audit/audit-record.ts';
import type { Dependencies } from '../dependencies.ts';

/** Checkpoints read per page while the chain is walked. */
const checkpointPage = 100;

/** Every checkpoint of the tenant, oldest first, into one chain. */
async function readCheckpointChain(deps: Pick<Dependencies, 'store'>, tenantId: TenantId): Promise<CheckpointChain> {
  const chain = new CheckpointChain();
  for (let after = 0; ;) {
    const page = await deps.store.listAuditCheckpoints(tenantId, after, checkpointPage);
    for (const checkpoint of page) chain.add(checkpoint);
    const last = page.at(-1);
    if (last === undefined || page.length < checkpointPage) return chain;
    after = last.sequence;
  }
}

export async function verifyAuditTrail(deps: Pick<Dependencies, 'store'>, tenantId: TenantId): Promise<AuditVerification> {
  // The checkpoint chain is read first: every record a checkpoint sealed was committed
  // before it, so the scan after finds it unless it was removed. Checkpoint, records and
  // heads then come from one snapshot, so appends made while the verification runs are
  // not mistaken for tampering.
  const chain = await readCheckpointChain(deps, tenantId);
  let verifier = createAuditVerifier();
  let sealed: AuditCheckpoint | null = null;
  const heads = await deps.store.scanAudit(tenantId, (checkpoint) => {
    sealed = checkpoint;
    verifier = createAuditVerifier({ checkpoint, chain });
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
