// Backups through the HTTP API (B1): admins and auditors back up their own tenant and list
// the backups; other roles may not; each backup is audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { paid } from '../support/refunds.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { systemClock } from '../../src/adapters/system/system-clock.ts';
import { restoreTenant } from '../../src/app/backups/restore-backup.ts';
import { verifyAuditTrail } from '../../src/app/audit/verify-audit.ts';
import { backupTenant } from '../../src/app/backups/write-backup.ts';
import { BackupRunningError, backupLeaseKind } from '../../src/app/backups/backup-lease.ts';
import type { TenantId } from '../../src/domain/ids.ts';

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

  async function restoresIntoAnEmptyStore(tenantId: TenantId): Promise<void> {
    const scratch = mkdtempSync(join(tmpdir(), 'contra-restore-'));
    const store = await openSqliteStore({ path: join(scratch, 'restored.db'), clock: systemClock });
    await store.migrate();
    try {
      await restoreTenant({ store, clock: systemClock }, service.runtime.backups.blobs, tenantId);
      assert.equal((await verifyAuditTrail({ store }, tenantId)).status, 'intact');
    } finally {
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  it('runs two backups taken at the same time one after the other, so the chain of backups still restores', async () => {
    const racing = await createTenant(service, 'Racing');
    await paid(service, racing, 'api-bk-race');
    const [a, b] = await Promise.all([
      call(service, 'POST', '/api/v1/backups', undefined, { token: racing.keys['auditor'] ?? '' }),
      call(service, 'POST', '/api/v1/backups', undefined, { token: racing.adminKey }),
    ]);
    assert.deepEqual([a.status, b.status], [201, 201], `${a.text} ${b.text}`);
    const listed = await call(service, 'GET', '/api/v1/backups', undefined, { token: racing.adminKey });
    const [newer, older] = listed.body['data'] as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(older['previous'], null);
    assert.equal(newer['previous'], older['stamp'], 'the second backup continues the first');
    await restoresIntoAnEmptyStore(racing.tenantId as TenantId);
  });

  it('waits for a backup of the tenant running in another process, and takes over a lease that lapsed', async () => {
    const shared = await createTenant(service, 'Shared');
    const tenantId = shared.tenantId as TenantId;
    const { store } = service.runtime.deps;
    // Another process holds the tenant's backup lease for the next half hour.
    const held = await store.commit({ tenantId, at: Date.now(), records: [{ kind: backupLeaseKind, id: 'backup', expectedVersion: 0, body: { run_id: 'bak_other', lease_until: Date.now() + 1_800_000 } }] });
    assert.ok(held.ok);
    await assert.rejects(backupTenant(service.runtime.deps, service.runtime.backups.blobs, tenantId, { settleMs: 0, leaseWaitMs: 300 }), BackupRunningError);
    const waiting = call(service, 'POST', '/api/v1/backups', undefined, { token: shared.adminKey });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The other run finishes and gives the lease back: the waiting backup goes ahead.
    const released = await store.commit({ tenantId, at: Date.now(), records: [{ kind: backupLeaseKind, id: 'backup', expectedVersion: 1, body: { run_id: null, lease_until: 0 } }] });
    assert.ok(released.ok);
    assert.equal((await waiting).status, 201);
    // A run that died keeps the lease only until it lapses.
    const lease = await store.getRecord(tenantId, backupLeaseKind, 'backup');
    const crashed = await store.commit({ tenantId, at: Date.now(), records: [{ kind: backupLeaseKind, id: 'backup', expectedVersion: lease?.version ?? 0, body: { run_id: 'bak_crashed', lease_until: Date.now() - 1 } }] });
    assert.ok(crashed.ok);
    assert.equal((await call(service, 'POST', '/api/v1/backups', undefined, { token: shared.adminKey })).status, 201);
    await restoresIntoAnEmptyStore(tenantId);
  });
});
