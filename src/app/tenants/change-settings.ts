// A tenant's policy settings after creation (T1): an admin reads them and changes some of
// them; a setting given as null goes back to its default. The change is one commit of the
// tenant record (under its version, so two admins changing different settings at once
// both land, each on top of the other) and an audit record with every changed setting
// before and after. Settings are validated by the same schema as at creation.
import type { TenantId } from '../../domain/ids.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { JsonObject, JsonValue } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import { tenantKind } from './tenants.ts';
import type { SettingsChange } from './tenant-settings.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** How often a change is decided again after another change of the same tenant won the race. */
const attemptsMax = 5;

function settingsOf(body: JsonObject): JsonObject {
  const settings = body['settings'];
  return settings !== undefined && settings !== null && typeof settings === 'object' && !Array.isArray(settings) ? settings : {};
}

function settingsReply(settings: JsonObject, version: number, message: string): Reply {
  return { statusCode: 200, body: { message, status: 'ok', settings, version } };
}

export async function readSettings(deps: Dependencies, principal: TenantPrincipal): Promise<Result<Reply, 'tenant_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, tenantKind, principal.tenantId);
  if (record === null) return refuse('tenant_not_found', 'tenant');
  return ok(settingsReply(settingsOf(record.body), record.version, 'The tenant\'s settings; a setting not listed has its default.'));
}

export async function changeSettings(deps: Dependencies, principal: TenantPrincipal, change: SettingsChange): Promise<Result<Reply, 'tenant_not_found' | 'conflict'>> {
  const tenantId: TenantId = principal.tenantId;
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    const record = await deps.store.getRecord(tenantId, tenantKind, tenantId);
    if (record === null) return refuse('tenant_not_found', 'tenant');
    const before = settingsOf(record.body);
    const changed: JsonObject = {};
    for (const [name, value] of Object.entries(change)) {
      const next = value === null || value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
      if (JSON.stringify(before[name] ?? null) === JSON.stringify(next)) continue;
      changed[name] = { before: before[name] ?? null, after: next };
    }
    // A setting set to null is left out: it has its default again.
    const after: JsonObject = {};
    for (const [name, value] of Object.entries({ ...before, ...change })) {
      if (value !== null && value !== undefined) after[name] = JSON.parse(JSON.stringify(value)) as JsonValue;
    }
    if (Object.keys(changed).length === 0) return ok(settingsReply(before, record.version, 'Nothing changed: the settings already had these values.'));
    const at = deps.clock.now();
    const audit = await buildAuditEntry(deps, tenantId, at, {
      stream: 'tenant', action: 'tenant.settings_changed', initiator: initiatorOf(principal), status: 'CHANGED',
      reason: `settings changed: ${Object.keys(changed).join(', ')}`, details: { query: { change: changed }, response: { version: record.version + 1 } },
    });
    const committed = await deps.store.commit({
      tenantId, at, records: [{ kind: tenantKind, id: tenantId, expectedVersion: record.version, body: { ...record.body, settings: after } }], audit: [audit],
    });
    if (committed.ok) return ok(settingsReply(after, record.version + 1, 'Settings changed.'));
  }
  return refuse('conflict');
}
