// API keys through the real HTTP server (T2): the tenant's last active admin key is never
// revoked, since without it nobody could create or revoke the tenant's keys again. The
// refusal is 409 last_admin_key and writes nothing; with another admin key the revocation
// works, other keys are revoked as before, an already revoked key answers 200 again; two
// admins revoking each other's keys at once never both succeed; and a tenant whose keys
// were written before the admin keys were counted is guarded all the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';
import { adminKeyCountKind, isActiveAdminKey } from '../../src/app/access/admin-key-count.ts';
import { apiKeyKind, apiKeyWrite, formatApiKey, newSecret } from '../../src/app/access/api-keys.ts';
import { tenantKind } from '../../src/app/tenants/tenants.ts';
import type { Store, StoredRecord } from '../../src/app/ports/store.ts';
import { startService, adminToken, type TestService } from '../support/service.ts';
import { call, createTenant, type Response } from '../support/client.ts';

/** How long a read waits for the others at most: the meeting must not hang a broken test. */
const meetingWaitMs = 3_000;

/** A store whose first read of each id `waiting` holds (of `kind`) returns only once all of them were read; each read leaves the set. */
function meetingStore(store: Store, kind: string, waiting: Set<string>): Store {
  let meet = (): void => undefined;
  const met = new Promise<void>((resolve) => {
    meet = resolve;
    setTimeout(resolve, meetingWaitMs).unref();
  });
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'getRecord') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<Store['getRecord']>): Promise<StoredRecord | null> => {
        const record = await target.getRecord(...args);
        if (args[1] === kind && waiting.delete(args[2])) {
          if (waiting.size === 0) meet();
          await met;
        }
        return record;
      };
    },
  });
}

const codeOf = (answer: Response): string => (answer.body['error'] as { code: string } | undefined)?.code ?? `(${answer.status})`;

type Key = { readonly id: string; readonly token: string };

describe('api keys', () => {
  let service: TestService;
  const store = (): TestService['runtime']['deps']['store'] => service.runtime.deps.store;
  const revoke = (key: Key, token: string): Promise<Response> => call(service, 'DELETE', `/api/v1/api-keys/${key.id}`, undefined, { token });
  const createKey = async (token: string, role: string): Promise<Key> => {
    const created = await call(service, 'POST', '/api/v1/api-keys', { role, name: `${role} key` }, { token });
    assert.equal(created.status, 201, created.text);
    return { id: String(created.body['api_key_id']), token: String(created.body['api_key']) };
  };
  const newTenant = async (): Promise<{ tenantId: TenantId; admin: Key }> => {
    const created = await call(service, 'POST', '/api/v1/tenants', { name: 'Keys bank' }, { token: adminToken });
    assert.equal(created.status, 201, created.text);
    return { tenantId: String(created.body['tenant_id']) as TenantId, admin: { id: String(created.body['api_key_id']), token: String(created.body['api_key']) } };
  };
  const activeAdminKeys = async (tenantId: TenantId): Promise<string[]> => {
    const page = await store().listRecords(tenantId, apiKeyKind, { limit: 200 });
    const active: string[] = [];
    for (const listed of page.items) {
      const current = await store().getRecord(tenantId, apiKeyKind, listed.id);
      if (current !== null && isActiveAdminKey(current.body)) active.push(listed.id);
    }
    return active.sort();
  };
  const isRevoked = async (tenantId: TenantId, key: Key): Promise<boolean> =>
    (await store().getRecord(tenantId, apiKeyKind, key.id))?.body['revoked_at'] !== null;
  /** Answers whether the key still manages keys (and creates a key it then revokes to show it). */
  const stillManagesKeys = async (key: Key): Promise<boolean> => {
    const created = await call(service, 'POST', '/api/v1/api-keys', { role: 'service', name: 'probe' }, { token: key.token });
    if (created.status !== 201) return false;
    return (await call(service, 'DELETE', `/api/v1/api-keys/${String(created.body['api_key_id'])}`, undefined, { token: key.token })).status === 200;
  };

  /**
   * Two admins revoking each other's keys at once. Both keys are authenticated first (the
   * service caches a verified key for 5 seconds), and each revocation's first read of the
   * key it revokes waits for the other's, so that the two requests decide on the same state
   * rather than one after the other, however the server happens to schedule them.
   */
  const revokeEachOther = async (one: Key, other: Key): Promise<Response[]> => {
    for (const key of [one, other]) assert.equal((await call(service, 'GET', '/api/v1/settings', undefined, { token: key.token })).status, 200);
    const deps = service.runtime.deps as { store: Store };
    const original = deps.store;
    const waiting = new Set([one.id, other.id]);
    deps.store = meetingStore(original, apiKeyKind, waiting);
    try {
      const answers = await Promise.all([revoke(other, one.token), revoke(one, other.token)]);
      assert.equal(waiting.size, 0, 'both revocations read the key they revoke');
      return answers;
    } finally {
      deps.store = original;
    }
  };

  before(async () => {
    service = await startService();
  });
  after(async () => service.close());

  it('refuses to revoke the last active admin key with 409 last_admin_key, writing nothing', async () => {
    const tenant = await createTenant(service, 'Last key bank');
    const tenantId = tenant.tenantId as TenantId;
    const admin: Key = { id: (await activeAdminKeys(tenantId))[0]!, token: tenant.adminKey };
    const refused = await revoke(admin, tenant.adminKey);
    assert.equal(refused.status, 409, refused.text);
    assert.equal(codeOf(refused), 'last_admin_key');
    assert.equal(await isRevoked(tenantId, admin), false);
    assert.ok(await stillManagesKeys(admin), 'the last admin key still manages keys');
    const audit = await call(service, 'GET', '/api/v1/audit?action=api_key.revoked', undefined, { token: tenant.keys['auditor']! });
    assert.equal(audit.status, 200, audit.text);
    assert.equal((audit.body['data'] as unknown[]).length, 1, 'only the probe key\'s revocation is audited');
  });

  it('revokes one of two admin keys, then refuses the other; other keys are revoked as before and a revoked key answers 200 again', async () => {
    const { tenantId, admin } = await newTenant();
    const second = await createKey(admin.token, 'admin');
    const operator = await createKey(admin.token, 'operator');
    const revoked = await revoke(admin, second.token);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body['status'], 'revoked');
    assert.equal(await isRevoked(tenantId, admin), true);
    const again = await revoke(admin, second.token);
    assert.equal(again.status, 200, 'an already revoked key answers 200 again');
    const refused = await revoke(second, second.token);
    assert.deepEqual([refused.status, codeOf(refused)], [409, 'last_admin_key'], refused.text);
    assert.deepEqual(await activeAdminKeys(tenantId), [second.id]);
    const operatorRevoked = await revoke(operator, second.token);
    assert.equal(operatorRevoked.status, 200, operatorRevoked.text);
    assert.equal(await isRevoked(tenantId, operator), true);
    const third = await createKey(second.token, 'admin');
    assert.equal((await revoke(second, third.token)).status, 200, 'with a new admin key the former last one can go');
    assert.deepEqual(await activeAdminKeys(tenantId), [third.id]);
  });

  it('lets exactly one of two admins revoking each other\'s keys at once succeed', async () => {
    for (let round = 1; round <= 10; round++) {
      const { tenantId, admin } = await newTenant();
      const second = await createKey(admin.token, 'admin');
      const answers = await revokeEachOther(admin, second);
      const statuses = answers.map((answer) => answer.status).sort();
      assert.deepEqual(statuses, [200, 409], `round ${round}: ${answers.map((answer) => answer.text).join(' | ')}`);
      assert.equal(answers.filter((answer) => codeOf(answer) === 'last_admin_key').length, 1);
      assert.equal((await activeAdminKeys(tenantId)).length, 1, `round ${round}: one admin key remains`);
      assert.equal((await store().getRecord(tenantId, adminKeyCountKind, tenantId))?.body['active_admin_keys'], 1);
    }
  });

  it('guards a tenant whose keys were written before admin keys were counted', async () => {
    // The old way: a tenant and two admin keys, and no count record.
    const tenantId = service.runtime.deps.ids.next('ten') as TenantId;
    const at = service.runtime.deps.clock.now();
    const keys: Key[] = [];
    const writes = [];
    for (const name of ['first admin key', 'second admin key']) {
      const apiKeyId = service.runtime.deps.ids.next('key') as ApiKeyId;
      const secret = newSecret();
      keys.push({ id: apiKeyId, token: formatApiKey(tenantId, apiKeyId, secret) });
      writes.push(apiKeyWrite({ apiKeyId, role: 'admin', name, secret, at, createdBy: 'bootstrap' }));
    }
    const committed = await store().commit({
      tenantId, at, records: [{ kind: tenantKind, id: tenantId, expectedVersion: 0, body: { name: 'Old bank', settings: {}, created_at: at } }, ...writes],
    });
    assert.ok(committed.ok);
    const [first, second] = keys as [Key, Key];
    assert.equal((await revoke(first, second.token)).status, 200);
    const refused = await revoke(second, second.token);
    assert.deepEqual([refused.status, codeOf(refused)], [409, 'last_admin_key'], refused.text);
    assert.deepEqual(await activeAdminKeys(tenantId), [second.id]);

    // A count record without its count is counted again, also under two revocations at once.
    const third = await createKey(second.token, 'admin');
    const record = await store().getRecord(tenantId, adminKeyCountKind, tenantId);
    assert.ok(record !== null);
    assert.ok((await store().commit({ tenantId, at, records: [{ kind: adminKeyCountKind, id: tenantId, expectedVersion: record.version, body: {} }] })).ok);
    const answers = await revokeEachOther(second, third);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409], answers.map((answer) => answer.text).join(' | '));
    assert.equal((await activeAdminKeys(tenantId)).length, 1);
  });
});
