// `contra migrate` and `contra verify-audit`.
import type { Logger } from 'pino';
import type { TenantId } from '../../domain/ids.ts';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { verifyAuditTrail } from '../../app/audit/verify-audit.ts';

export async function migrate(config: Config, logger: Logger): Promise<void> {
  const runtime = await openRuntime(config, logger);
  await runtime.close();
  process.stdout.write(`migrated the ${config.store.kind} store\n`);
}

/** Returns the process exit code: 0 when every trail is intact, 1 otherwise. */
export async function verifyAudit(config: Config, logger: Logger, tenant?: string): Promise<number> {
  const runtime = await openRuntime(config, logger);
  try {
    const known = await runtime.deps.store.listTenantIds();
    if (tenant !== undefined && !known.includes(tenant as TenantId)) {
      process.stderr.write(`contra: no tenant '${tenant}'\n`);
      return 2;
    }
    const tenants = tenant === undefined ? known : [tenant as TenantId];
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
