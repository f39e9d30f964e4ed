// Backups through the HTTP API (B1): admins and auditors back up their own tenant and list
// the backups; other roles may not; each backup is audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { paid } from '../support/refunds.ts';

describe('backups API', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService({ environment: { CONTRA_BACKUP_SETTLE_MS: '0' } });
    tenant = await createTenant(service);
    await paid(service, tenant, 'api-bk-1');
  });
  after(async () => service.close());

  it('takes a backup of the caller\'s tenant and lists it with its chain head', async () => {
    const taken = await call(service, 'POST', '/api/v1/backups', undefined, { token: tenant.keys['auditor'] ?? '' });
    assert.equal(taken.status, 201, taken.text);
    const backup = taken.body['backup'] as Record<string, unknown>;
    assert.ok(Number(backup['audit_records']) > 5, taken.text);
    const listed = await call(service, 'GET', '/api/v1/backups', undefined, { token: tenant.adminKey });
    assert.equal(listed.status, 200, listed.text);
    const [first] = listed.body['data'] as Record<string, unknown>[];
    assert.deepEqual([first?.['stamp'], first?.['chain_head']], [backup['stamp'], backup['chain_head']]);
    const audit = await call(service, 'GET', '/api/v1/audit?action=backup.completed', undefined, { token: tenant.keys['auditor'] ?? '' });
    assert.equal((audit.body['data'] as unknown[]).length, 1);
  });

  it('keeps tenants apart and refuses roles other than admin and auditor', async () => {
    const other = await createTenant(service, 'Other');
    const listed = await call(service, 'GET', '/api/v1/backups', undefined, { token: other.adminKey });
    assert.deepEqual(listed.body['data'], []);
    for (const role of ['operator', 'approver', 'service']) {
      assert.equal((await call(service, 'POST', '/api/v1/backups', undefined, { token: tenant.keys[role] ?? '' })).status, 403, role);
    }
  });
});
