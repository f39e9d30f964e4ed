// Creating and revoking a tenant's API keys (admin role). Revocation is a new version of
// the key's record; the record itself stays for the audit trail. The tenant's last active
// admin key is never revoked (admin-key-count.ts): the tenant would be locked out of key
// management for good.
import type { ApiKeyId } from '../../domain/ids.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { decideAndCommit } from '../shared/commit.ts';
import type { Reply } from '../shared/reply.ts';
import type { RecordWrite } from '../ports/store.ts';
import { apiKeyKind, apiKeyWrite, formatApiKey, newSecret } from './api-keys.ts';
import { adminKeyCountWrite, isActiveAdminKey, readAdminKeyCount } from './admin-key-count.ts';
import { initiatorOf, type Principal, type Role } from './principal.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function createApiKey(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: { role: Role; name: string },
): Promise<Result<Reply, 'conflict'>> {
  const apiKeyId = deps.ids.next('key') as ApiKeyId;
  const secret = newSecret();
  const reply: Reply = {
    statusCode: 201,
    body: {
      message: 'API key created. Keep it: it is shown only once.',
      status: 'created',
      api_key_id: apiKeyId,
      api_key: formatApiKey(principal.tenantId, apiKeyId, secret),
      role: input.role,
      name: input.name,
    },
  };
  // An admin key is counted in the same changeset; any other key leaves the count alone.
  const committed = await decideAndCommit(deps.store, async () => {
    const at = deps.clock.now();
    const counted = input.role === 'admin' ? [adminKeyCountWrite(await readAdminKeyCount(deps.store, principal.tenantId), 1)] : [];
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: 'tenant',
      action: 'api_key.created',
      initiator: initiatorOf(principal),
      status: 'CREATED',
      details: { query: { role: input.role, name: input.name }, response: { api_key_id: apiKeyId } },
    });
    return {
      ok: true,
      value: reply,
      changeset: {
        tenantId: principal.tenantId,
        at,
        records: [apiKeyWrite({ apiKeyId, role: input.role, name: input.name, secret, at, createdBy: initiatorOf(principal) }), ...counted],
        audit: [audit],
      },
    };
  });
  return committed.ok ? ok(reply) : refuse('conflict');
}

export async function revokeApiKey(
  deps: Dependencies,
  principal: TenantPrincipal,
  apiKeyId: string,
): Promise<Result<Reply, 'api_key_not_found' | 'last_admin_key' | 'conflict' | 'insufficient_funds'>> {
  return decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(principal.tenantId, apiKeyKind, apiKeyId);
    if (record === null) return refuse('api_key_not_found', 'api_key_id');
    const reply: Reply = { statusCode: 200, body: { message: 'API key revoked.', status: 'revoked', api_key_id: apiKeyId } };
    if (record.body['revoked_at'] !== null) return { ok: true, changeset: null, value: reply };
    const counted: RecordWrite[] = [];
    if (isActiveAdminKey(record.body)) {
      const count = await readAdminKeyCount(deps.store, principal.tenantId);
      if (count.activeAdminKeys <= 1) return refuse('last_admin_key', 'api_key_id', 'create another admin key before revoking this one');
      counted.push(adminKeyCountWrite(count, -1));
    }
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
        records: [{ kind: apiKeyKind, id: apiKeyId, expectedVersion: record.version, body: { ...record.body, revoked_at: at } }, ...counted],
        audit: [audit],
      },
    };
  });
}
