// `contra migrate`, `contra verify-audit` and `contra detect`.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { selectTenants } from './select-tenants.ts';
import { verifyAuditTrail } from '../../app/audit/verify-audit.ts';
import { detectFailures } from '../../app/reversals/detect-failures.ts';

export async function migrate(config: Config, logger: Logger): Promise<void> {
  const runtime = await openRuntime(config, logger);
  await runtime.close();
  process.stdout.write(`migrated the ${config.store.kind} store\n`);
}

/** Returns the process exit code: 0 when every trail is intact, 1 otherwise. */
export async function verifyAudit(config: Config, logger: Logger, tenant?: string): Promise<number> {
  const runtime = await openRuntime(config, logger);
  try {
    const tenants = await selectTenants(runtime, tenant);
    if (tenants === null) return 2;
    let broken = 0;
    for (const tenantId of tenants) {
      const result = await verifyAuditTrail(runtime.deps, tenantId);
      const where = result.firstBroken === undefined
        ? ''
        : ` first broken: record ${result.firstBroken.recordId} (stream ${result.firstBroken.stream}, #${result.firstBroken.sequence}): ${result.firstBroken.problem}`;
      process.stdout.write(`${tenantId}: ${result.status}, ${result.recordsChecked} records checked${where}\n`);
      if (result.status !== 'intact') broken++;
    }
    return broken === 0 ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

/** Runs the failure-detection sweep once (V2) and prints what it found; exit 2 for an unknown tenant. */
export async function detect(config: Config, logger: Logger, tenant?: string): Promise<number> {
  const runtime = await openRuntime(config, logger);
  try {
    const tenants = await selectTenants(runtime, tenant);
    if (tenants === null) return 2;
    const [only] = tenants;
    const report = await detectFailures(runtime.deps, tenant === undefined || only === undefined ? {} : { tenantId: only });
    process.stdout.write(`detection: ${report.examined} unconfirmed transfers queried (${report.succeeded} succeeded, ${report.failed} failed, ${report.stillPending} still unknown, ${report.escalated} escalated), ${report.orphanedDebits} orphaned debits\n`);
    for (const burst of report.glitchBursts) {
      process.stdout.write(`glitch burst: tenant ${burst.tenantId} bank ${burst.bankCode}, ${burst.count} failures (91/96) in the window${burst.new ? '' : ' (already alerted)'}\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
