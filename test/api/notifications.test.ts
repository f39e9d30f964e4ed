// The notification queue through the HTTP API (N1): operations list what waits and what
// went to the dead letter, and send a dead notification again; other roles may not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { enqueueNotification } from '../../src/app/notifications/enqueue-notification.ts';
import { deliverNotifications } from '../../src/app/notifications/deliver-notifications.ts';
import type { NotificationChannel } from '../../src/app/ports/notification-channel.ts';
import type { TenantId } from '../../src/domain/ids.ts';

describe('notification queue', () => {
  let service: TestService;
  let tenant: Tenant;
  let sent = 0;
  /** A receiver that refuses everything until told otherwise. */
  let accepting = false;
  const receiver: NotificationChannel = {
    name: 'test-receiver',
    send: () => {
      sent++;
      return Promise.resolve(accepting ? { ok: true } : { ok: false, retryable: false, reason: 'unknown subscriber' });
    },
  };
  const routing = () => ({ customer: receiver, operations: receiver, operationsRecipient: 'ops', sendTimeoutMs: 1_000 });
  const operator = () => tenant.keys['operator'] ?? '';

  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
    const { deps } = service.runtime;
    const write = enqueueNotification(deps.ids, tenant.tenantId as TenantId, deps.clock.now(), {
      audience: 'customer', recipient: '+2348030000001', template: 'reversal.completed',
      data: { amount_minor: '250000', currency: 'NGN', reversal_reference: 'TXR-2026-000007' }, source: 'test',
    });
    assert.ok(write.ok);
    assert.ok((await deps.store.commit({ tenantId: tenant.tenantId as TenantId, at: deps.clock.now(), records: [write.value] })).ok);
  });
  after(async () => service.close());

  it('lists a waiting notification, then the dead letter with the reason', async () => {
    const due = await call(service, 'GET', '/api/v1/notifications?status=due', undefined, { token: operator() });
    assert.equal(due.status, 200, due.text);
    assert.equal((due.body['data'] as unknown[]).length, 1);
    await deliverNotifications(service.runtime.deps, routing());
    const dead = await call(service, 'GET', '/api/v1/notifications', undefined, { token: operator() });
    const [item] = dead.body['data'] as Record<string, unknown>[];
    assert.deepEqual([item?.['status'], item?.['attempts'], item?.['last_error']], ['dead', 1, 'refused by the receiver: unknown subscriber']);
    assert.equal(item?.['template'], 'reversal.completed');
    assert.ok(!JSON.stringify(dead.body).includes('has been reversed'), 'the message text is not listed');
  });

  it('sends a dead notification again once requeued, and only a dead one', async () => {
    const dead = await call(service, 'GET', '/api/v1/notifications?status=dead', undefined, { token: operator() });
    const id = String((dead.body['data'] as Record<string, unknown>[])[0]?.['notification_id']);
    const requeued = await call(service, 'POST', `/api/v1/notifications/${id}/retry`, undefined, { token: operator() });
    assert.equal(requeued.status, 200, requeued.text);
    assert.equal(requeued.body['status'], 'due');
    const again = await call(service, 'POST', `/api/v1/notifications/${id}/retry`, undefined, { token: operator() });
    assert.deepEqual([again.status, (again.body['error'] as Record<string, unknown>)['code']], [409, 'notification_not_dead']);
    accepting = true;
    const before = sent;
    assert.equal((await deliverNotifications(service.runtime.deps, routing())).delivered, 1);
    assert.equal(sent, before + 1);
    const audit = await call(service, 'GET', '/api/v1/audit?action=notification.requeued', undefined, { token: tenant.keys['auditor'] ?? '' });
    assert.equal((audit.body['data'] as unknown[]).length, 1, audit.text);
  });

  it('answers 404 for an unknown notification and 403 to roles outside operations', async () => {
    const missing = await call(service, 'POST', '/api/v1/notifications/ntf_missing/retry', undefined, { token: operator() });
    assert.deepEqual([missing.status, (missing.body['error'] as Record<string, unknown>)['code']], [404, 'notification_not_found']);
    for (const role of ['auditor', 'approver', 'service']) {
      const refused = await call(service, 'GET', '/api/v1/notifications', undefined, { token: tenant.keys[role] ?? '' });
      assert.equal(refused.status, 403, role);
    }
    const badStatus = await call(service, 'GET', '/api/v1/notifications?status=sent', undefined, { token: operator() });
    assert.equal(badStatus.status, 400);
  });
});
