// One backup of a tenant at a time (B1). Each run continues the manifest before it; two
// runs that both read the same last manifest would write two manifests continuing it (or
// two full backups), and restore could never again follow one chain. Within a process a
// keyed lock queues the runs; across processes (the daily job in `contra serve`, the API
// in another instance, the CLI) a versioned lease record in the store does: a run takes
// it before it reads the last manifest and gives it back in the commit that audits the
// finished backup. A run that dies keeps the lease until it lapses.
import { z } from 'zod';
import type { TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import type { RecordWrite } from '../ports/store.ts';
import { KeyedLock } from '../shared/keyed-lock.ts';

export const backupLeaseKind = 'backup_lease';
const backupLeaseId = 'backup';
/** How long a run's lease lasts: a run that dies without giving it back blocks the next one this long at most. */
export const backupLeaseMs = 30 * 60_000;
/** How long a run waits for another process's run to finish before it gives up. */
export const backupLeaseWaitMs = 60_000;
const leasePollMs = 200;

/** Another process is backing up the tenant and did not finish within the wait. */
export class BackupRunningError extends Error {
  override readonly name = 'BackupRunningError';
}

export type BackupLease = { readonly tenantId: TenantId; readonly runId: string; readonly version: number };

const leaseSchema = z.object({ run_id: z.string().nullable(), lease_until: z.number() });

type LeaseDependencies = Pick<Dependencies, 'store' | 'clock'>;

const running = new KeyedLock();

function leaseWrite(runId: string | null, leaseUntil: number, expectedVersion: number): RecordWrite {
  return { kind: backupLeaseKind, id: backupLeaseId, expectedVersion, body: { run_id: runId, lease_until: leaseUntil } };
}

async function takeLease(deps: LeaseDependencies, tenantId: TenantId, runId: string, waitMs: number): Promise<BackupLease> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const at = deps.clock.now();
    const record = await deps.store.getRecord(tenantId, backupLeaseKind, backupLeaseId);
    const held = record === null ? null : leaseSchema.parse(record.body);
    if (held === null || held.run_id === null || held.lease_until <= at) {
      const version = record?.version ?? 0;
      const committed = await deps.store.commit({ tenantId, at, records: [leaseWrite(runId, at + backupLeaseMs, version)] });
      if (committed.ok) return { tenantId, runId, version: version + 1 };
      // Another process took it at the same moment: wait for its run like any other.
    }
    if (Date.now() >= deadline) throw new BackupRunningError(`another backup of ${tenantId} is running (${held?.run_id ?? 'just started'}); retry when it has finished`);
    await new Promise((resolve) => setTimeout(resolve, leasePollMs));
  }
}

/** Whether the run still holds its lease (it may have lapsed and been taken by another run). */
export async function holdsBackupLease(deps: LeaseDependencies, lease: BackupLease): Promise<boolean> {
  const record = await deps.store.getRecord(lease.tenantId, backupLeaseKind, backupLeaseId);
  return record !== null && record.version === lease.version;
}

/** The write that gives the lease back, to commit with the audit record of the finished run. */
export function releaseBackupLease(lease: BackupLease): RecordWrite {
  return leaseWrite(null, 0, lease.version);
}

/**
 * Runs `work` holding the tenant's backup lease. `work` gives the lease back in its own
 * last commit; if it fails, the lease is given back here (if the store is failing too,
 * it lapses).
 */
export async function withBackupLease<T>(
  deps: LeaseDependencies, tenantId: TenantId, runId: string, work: (lease: BackupLease) => Promise<T>, waitMs = backupLeaseWaitMs,
): Promise<T> {
  return running.run(tenantId, async () => {
    const lease = await takeLease(deps, tenantId, runId, waitMs);
    try {
      return await work(lease);
    } catch (error) {
      await deps.store.commit({ tenantId, at: deps.clock.now(), records: [releaseBackupLease(lease)] }).catch(() => undefined);
      throw error;
    }
  });
}
