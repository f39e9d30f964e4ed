// The working-day calendar through the HTTP API (D1): computed Nigerian holidays, admin
// overrides for declared dates (Eid al-Fitr 2025), and the deadline a case gets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';

const errorOf = (response: Response): unknown[] => {
  const error = response.body['error'] as Record<string, unknown> | undefined;
  return [response.status, error?.['code'], error?.['field']];
};

describe('calendar and deadlines', () => {
  let service: TestService;
  let tenant: Tenant;
  const admin = () => tenant.adminKey;
  const deadline = (query: string, token = tenant.keys['operator'] ?? '') => call(service, 'GET', `/api/v1/calendar/deadline?${query}`, undefined, { token });
  const eidCase = `opened_at=${encodeURIComponent('2025-03-28T15:00:00+01:00')}&channel=mobile&amount=500.00&currency=NGN`;

  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
  });
  after(async () => service.close());

  it('lists the computed public holidays of a year', async () => {
    const listed = await call(service, 'GET', '/api/v1/calendar/holidays?year=2025', undefined, { token: tenant.keys['auditor'] ?? '' });
    assert.equal(listed.status, 200, listed.text);
    const dates = (listed.body['data'] as { date: string; source: string }[]).map((holiday) => `${holiday.date}:${holiday.source}`);
    assert.ok(dates.includes('2025-04-18:computed') && dates.includes('2025-04-21:computed') && dates.includes('2025-12-25:computed'), dates.join(' '));
  });

  it('moves a T+2 deadline past the Eid al-Fitr 2025 days the government declared', async () => {
    const before = await deadline(eidCase);
    assert.equal(before.status, 200, before.text);
    assert.deepEqual([before.body['rule'], before.body['due_at']], ['fallback', '2025-04-01T22:59:59.999Z']);
    for (const date of ['2025-03-31', '2025-04-01']) {
      const set = await call(service, 'PUT', `/api/v1/calendar/holidays/${date}`, { action: 'add', name: 'Eid al-Fitr (declared)' }, { token: admin() });
      assert.equal(set.status, 200, set.text);
    }
    const after = await deadline(eidCase);
    assert.equal(after.body['due_at'], '2025-04-03T22:59:59.999Z');
    const listed = await call(service, 'GET', '/api/v1/calendar/holidays?year=2025', undefined, { token: admin() });
    assert.ok((listed.body['data'] as { date: string; source: string }[]).some((holiday) => holiday.date === '2025-03-31' && holiday.source === 'override'));
    const audit = await call(service, 'GET', '/api/v1/audit?action=calendar.override_set', undefined, { token: tenant.keys['auditor'] ?? '' });
    assert.equal((audit.body['data'] as unknown[]).length, 2);
  });

  it('withdraws an override once, then answers 404', async () => {
    const withdrawn = await call(service, 'DELETE', '/api/v1/calendar/holidays/2025-04-01', undefined, { token: admin() });
    assert.equal(withdrawn.status, 200, withdrawn.text);
    assert.equal((await deadline(eidCase)).body['due_at'], '2025-04-02T22:59:59.999Z');
    assert.deepEqual(errorOf(await call(service, 'DELETE', '/api/v1/calendar/holidays/2025-04-01', undefined, { token: admin() })), [404, 'holiday_override_not_found', 'date']);
  });

  it('lets only admins change the calendar and refuses impossible dates', async () => {
    assert.equal((await call(service, 'PUT', '/api/v1/calendar/holidays/2025-05-02', { action: 'add', name: 'x' }, { token: tenant.keys['operator'] ?? '' })).status, 403);
    assert.deepEqual(errorOf(await call(service, 'PUT', '/api/v1/calendar/holidays/2025-02-30', { action: 'add', name: 'x' }, { token: admin() })), [400, 'invalid_request', 'date']);
    assert.equal((await call(service, 'PUT', '/api/v1/calendar/holidays/2025-05-02', { action: 'skip', name: 'x' }, { token: admin() })).status, 400);
  });

  it('refuses a bad amount, currency or time with the field at fault', async () => {
    assert.deepEqual(errorOf(await deadline('opened_at=2025-03-28T10:00:00Z&channel=nip&amount=1.234&currency=NGN')), [400, 'invalid_amount', 'amount']);
    assert.deepEqual(errorOf(await deadline('opened_at=2025-03-28T10:00:00Z&channel=nip&amount=1.00&currency=XYZ')), [400, 'invalid_currency', 'currency']);
    assert.deepEqual(errorOf(await deadline('opened_at=yesterday&channel=nip&amount=1.00&currency=NGN')), [400, 'invalid_request', 'opened_at']);
  });

  it('applies the CBN preset when the tenant chose it', async () => {
    const cbn = await createTenant(service, 'CBN tenant', { dispute_timelines: { preset: 'cbn' } });
    const nip = await deadline('opened_at=2026-11-27T16:00:00Z&channel=nip&amount=5000.00&currency=NGN', cbn.keys['operator']);
    assert.deepEqual([nip.body['rule'], nip.body['due_at'], nip.body['timeline']], ['nip_failed_transfer', '2026-11-28T16:00:00.000Z', { hours: 24 }]);
    const refused = await call(service, 'POST', '/api/v1/tenants', { name: 'bad', settings: { dispute_timelines: { preset: 'fast' } } }, { token: 'test-bootstrap-token-0123456789abcdef' });
    assert.equal(refused.status, 400);
  });
});
