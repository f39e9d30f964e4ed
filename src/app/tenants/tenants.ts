// Tenants (T1): created by the platform's bootstrap token, each with a first admin key.
import type { ApiKeyId, TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { apiKeyWrite, formatApiKey, newSecret } from '../access/api-keys.ts';
import { firstAdminKeyCountWrite } from '../access/admin-key-count.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Reply } from '../shared/reply.ts';
import type { Result } from '../../domain/result.ts';
import { ok, refuse } from '../../domain/result.ts';
import type { TenantSettings } from './tenant-settings.ts';
import type { JsonObject } from '../ports/store.ts';

export const tenantKind = 'tenant';

export type CreateTenantInput = { readonly name: string; readonly settings?: TenantSettings };

export async function createTenant(
  deps: Dependencies,
  principal: Principal,
  input: CreateTenantInput,
): Promise<Result<Reply, 'forbidden' | 'conflict'>> {
  if (principal.kind !== 'bootstrap') return refuse('forbidden', undefined, 'only the bootstrap token creates tenants');
  const at = deps.clock.now();
  const tenantId = deps.ids.next('ten') as TenantId;
  const apiKeyId = deps.ids.next('key') as ApiKeyId;
  const secret = newSecret();
  const settings: JsonObject = JSON.parse(JSON.stringify(input.settings ?? {})) as JsonObject;
  const audit = await buildAuditEntry(deps, tenantId, at, {
    stream: 'tenant',
    action: 'tenant.created',
    initiator: initiatorOf(principal),
    status: 'CREATED',
    details: { query: { name: input.name, settings }, response: { tenant_id: tenantId, api_key_id: apiKeyId } },
  });
  const committed = await deps.store.commit({
    tenantId,
    at,
    records: [
      { kind: tenantKind, id: tenantId, expectedVersion: 0, body: { name: input.name, settings, created_at: at } },
      apiKeyWrite({ apiKeyId, role: 'admin', name: 'first admin key', secret, at, createdBy: initiatorOf(principal) }),
      firstAdminKeyCountWrite(tenantId),
    ],
    audit: [audit],
  });
  if (!committed.ok) return refuse('conflict');
  return ok({
    statusCode: 201,
    body: {
      message: 'Tenant created. Keep the API key: it is shown only once.',
      status: 'created',
      tenant_id: tenantId,
      name: input.name,
      api_key_id: apiKeyId,
      api_key: formatApiKey(tenantId, apiKeyId, secret),
    },
  });
}

export async function readTenantSettings(deps: Pick<Dependencies, 'store'>, tenantId: TenantId): Promise<JsonObject> {
  const record = await deps.store.getRecord(tenantId, tenantKind, tenantId);
  const settings = record?.body['settings'];
  return settings !== undefined && settings !== null && typeof settings === 'object' && !Array.isArray(settings) ? settings : {};
}
