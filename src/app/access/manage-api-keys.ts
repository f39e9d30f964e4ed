// Creating and revoking a tenant's API keys (admin role). Revocation is a new version of
// the key's record; the record itself stays for the audit trail.
import type { ApiKeyId } from '../../domain/ids.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { decideAndCommit } from '../shared/commit.ts';
import type { Reply } from '../shared/reply.ts';
import { apiKeyKind, apiKeyWrite, formatApiKey, newSecret } from './api-keys.ts';
import { initiatorOf, type Principal, type Role } from './principal.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function createApiKey(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: { role: Role; name: string },
): Promise<Result<Reply, 'conflict'>> {
  const at = deps.clock.now();
  const apiKeyId = deps.ids.next('key') as ApiKeyId;
  const secret = newSecret();
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: 'tenant',
    action: 'api_key.created',
    initiator: initiatorOf(principal),
    status: 'CREATED',
    details: { query: { role: input.role, name: input.name }, response: { api_key_id: apiKeyId } },
  });
  const committed = await deps.store.commit({
    tenantId: principal.tenantId,
    at,
    records: [apiKeyWrite({ apiKeyId, role: input.role, name: input.name, secret, at, createdBy: initiatorOf(principal) })],
    audit: [audit],
  });
  if (!committed.ok) return refuse('conflict');
  return ok({
    statusCode: 201,
    body: {
      message: 'API key created. Keep it: it is shown only once.',
      status: 'created',
      api_key_id: apiKeyId,
      api_key: formatApiKey(principal.tenantId, apiKeyId, secret),
      role: input.role,
      name: input.name,
    },
  });
}

export async function revokeApiKey(
  deps: Dependencies,
  principal: TenantPrincipal,
  apiKeyId: string,
): Promise<Result<Reply, 'api_key_not_found' | 'conflict' | 'insufficient_funds'>> {
  return decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(principal.tenantId, apiKeyKind, apiKeyId);
    if (record === null) return refuse('api_key_not_found', 'api_key_id');
    const reply: Reply = { statusCode: 200, body: { message: 'API key revoked.', status: 'revoked', api_key_id: apiKeyId } };
    if (record.body['revoked_at'] !== null) return { ok: true, changeset: null, value: reply };
    const at = deps.clock.now();
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: 'tenant', action: 'api_key.revoked', initiator: initiatorOf(principal), status: 'REVOKED',
      details: { query: { api_key_id: apiKeyId } },
    });
    return {
      ok: true,
      value: reply,
      changeset: {
        tenantId: principal.tenantId,
        at,
        records: [{ kind: apiKeyKind, id: apiKeyId, expectedVersion: record.version, body: { ...record.body, revoked_at: at } }],
        audit: [audit],
      },
    };
  });
}
