// The tenants a maintenance command works on: all of them, or the one named by --tenant.
// An unknown name is reported on stderr and answered with null (the command exits 2).
import type { Runtime } from '../runtime.ts';
import type { TenantId } from '../../domain/ids.ts';

export async function selectTenants(runtime: Pick<Runtime, 'deps'>, tenant: string | undefined): Promise<readonly TenantId[] | null> {
  const known = await runtime.deps.store.listTenantIds();
  if (tenant === undefined) return known;
  const found = known.find((tenantId) => tenantId === tenant);
  if (found !== undefined) return [found];
  process.stderr.write(`contra: no tenant '${tenant}'\n`);
  return null;
}
