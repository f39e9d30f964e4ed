// Tenant settings after creation through the real HTTP server (T1): an admin reads and
// changes them; null returns a setting to its default; bad names and values are refused
// with the field and nothing is written; other roles may read but not change; two admins
// changing different settings at once both land; every change is audited with the values
// before and after; and a change takes effect on the next operation (an incident rule
// switched off opens no incident for the next high-value failure). The ledger balances
// after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { fundedCustomer, toBank } from '../support/transfers.ts';

const codeOf = (answer: Response): string => (answer.body['error'] as { code: string } | undefined)?.code ?? `(${answer.status})`;
const fieldOf = (answer: Response): string | undefined => (answer.body['error'] as { field?: string } | undefined)?.field;

describe('tenant settings', () => {
  let service: TestService;
  let tenant: Tenant;
  const read = (role = 'admin'): Promise<Response> => call(service, 'GET', '/api/v1/settings', undefined, { token: tenant.keys[role]! });
  const change = (body: unknown, role = 'admin'): Promise<Response> => call(service, 'PATCH', '/api/v1/settings', body, { token: tenant.keys[role]! });

  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'Settings bank', { refund_window_days: 30 });
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  it('reads, changes and resets settings, audited with the values before and after', async () => {
    const first = await read('auditor');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body['settings'], { refund_window_days: 30 });
    const changed = await change({ refund_window_days: 90, reversal_manager_threshold: '500000.00' });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body['settings'], { refund_window_days: 90, reversal_manager_threshold: '500000.00' });
    assert.equal(changed.body['version'], Number(first.body['version']) + 1);
    const reset = await change({ refund_window_days: null });
    assert.deepEqual(reset.body['settings'], { reversal_manager_threshold: '500000.00' });
    const same = await change({ reversal_manager_threshold: '500000.00' });
    assert.deepEqual([same.status, same.body['version']], [200, reset.body['version']]);
    const audit = await call(service, 'GET', '/api/v1/audit?action=tenant.settings_changed', undefined, { token: tenant.keys['auditor']! });
    assert.equal(audit.status, 200, audit.text);
    const entries = audit.body['data'] as Record<string, unknown>[];
    assert.equal(entries.length, 2, 'the no-op change is not audited');
    const text = JSON.stringify(entries);
    assert.ok(text.includes('"before":30') && text.includes('"after":90') && text.includes('"after":null'), text);
  });

  it('refuses bad names, bad values, an empty change and other roles, writing nothing', async () => {
    const before = await read();
    for (const [body, field] of [
      [{ refund_window_day: 10 }, undefined], [{ refund_window_days: 0 }, 'refund_window_days'], [{ reversal_auto_amount_max: '1e9' }, 'reversal_auto_amount_max'],
      [{ incident_triggers: ['sometimes'] }, 'incident_triggers'], [{}, undefined], [[], undefined],
    ] as const) {
      const refused = await change(body);
      assert.equal(refused.status, 400, `${JSON.stringify(body)} ${refused.text}`);
      if (field !== undefined) assert.match(fieldOf(refused) ?? '', new RegExp(field), refused.text);
    }
    for (const role of ['operator', 'approver', 'auditor', 'service']) assert.equal(codeOf(await change({ refund_window_days: 5 }, role)), 'forbidden', role);
    assert.equal(codeOf(await read('approver')), 'forbidden');
    assert.deepEqual((await read()).body, before.body);
  });

  it('lands two admins\' changes of different settings made at once', async () => {
    const second = await call(service, 'POST', '/api/v1/api-keys', { role: 'admin', name: 'second admin' }, { token: tenant.adminKey });
    assert.equal(second.status, 201, second.text);
    const keyOfSecond = String(second.body['api_key']);
    const answers = await Promise.all([
      change({ fee_refund_policy: 'keep' }),
      call(service, 'PATCH', '/api/v1/settings', { tax_refund_policy: 'keep' }, { token: keyOfSecond }),
      change({ refund_window_days: 45 }),
    ]);
    for (const answer of answers) assert.equal(answer.status, 200, answer.text);
    const settings = (await read()).body['settings'] as Record<string, unknown>;
    assert.deepEqual([settings['fee_refund_policy'], settings['tax_refund_policy'], settings['refund_window_days']], ['keep', 'keep', 45]);
  });

  it('takes effect on the next operation: incident reports switched off open none', async () => {
    const bank = await createTenant(service, 'Quiet bank');
    await fundedCustomer(service, bank, 'ada', '5000000.00');
    const incidents = async (): Promise<unknown[]> => (await call(service, 'GET', '/api/v1/transactions/reversals/compliance/incidents', undefined, { token: bank.keys['auditor']! })).body['data'] as unknown[];
    assert.equal((await toBank(service, bank, 'big-1', 'ada', '0123456705', '1500000.00')).status, 502);
    assert.equal((await incidents()).length, 1);
    const off = await call(service, 'PATCH', '/api/v1/settings', { incident_triggers: [] }, { token: bank.adminKey });
    assert.equal(off.status, 200, off.text);
    assert.equal((await toBank(service, bank, 'big-2', 'ada', '0123456705', '1500000.00')).status, 502);
    assert.equal((await incidents()).length, 1);
  });
});
