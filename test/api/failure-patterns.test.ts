// Failure patterns through the real HTTP server (V7): rates by type, bank, channel and
// hour; a bank failing far more often than the rest is flagged with plain advice.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { fundedCustomer, toBank } from '../support/transfers.ts';

describe('failure patterns', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
    await fundedCustomer(service, tenant, 'alice', '100000.00');
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());
  const patterns = (query = '') => call(service, 'GET', `/api/v1/transactions/reversals/patterns${query}`, undefined, { token: tenant.keys['operator']! });

  it('says there is nothing to see before any transfer', async () => {
    const answer = await patterns();
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body['transfers'], answer.body['recommendations']], [0, ['No failed transfers in this period.']]);
  });

  it('flags the failing bank and channel, with rates and advice', async () => {
    for (let index = 0; index < 6; index++) assert.equal((await toBank(service, tenant, `ok-${index}`, 'alice', '0123456700', '10.00', { channel: 'mobile' })).status, 201);
    for (let index = 0; index < 4; index++) assert.equal((await toBank(service, tenant, `bad-${index}`, 'alice', '0123456791', '10.00', { channel: 'ussd' })).status, 502);
    const other = await call(service, 'POST', '/api/v1/transfers', { reference: 'other-bank', sender_account_id: 'alice', amount: '10.00', currency: 'NGN', receiver: { bank_code: '058', account_number: '0123456700', account_name: 'X' } }, { token: tenant.keys['service']! });
    assert.equal(other.status, 502);
    const answer = await patterns();
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body['transfers'], answer.body['failures']], [11, 5]);
    assert.deepEqual(answer.body['by_failure_type'], [{ failure_type: 'system_glitch', failures: 4, share: 0.8 }, { failure_type: 'routing_error', failures: 1, share: 0.2 }]);
    assert.deepEqual(answer.body['by_channel'], [{ channel: 'ussd', transfers: 4, failures: 4, failure_rate: 1 }, { channel: 'api', transfers: 1, failures: 1, failure_rate: 1 }, { channel: 'mobile', transfers: 6, failures: 0, failure_rate: 0 }]);
    const spikes = answer.body['spikes'] as { dimension: string; key: string }[];
    assert.ok(spikes.some((spike) => spike.dimension === 'channel' && spike.key === 'ussd'), answer.text);
    const advice = answer.body['recommendations'] as string[];
    assert.ok(advice.some((line) => line.startsWith('The ussd channel fails 100% of transfers')), advice.join('\n'));
    assert.ok(advice.some((line) => line.startsWith('system_glitch makes up 80% of failures')), advice.join('\n'));
    const hours = answer.body['by_hour'] as { hour_lagos: string }[];
    assert.ok(hours.every((row) => /^[0-2][0-9]$/.test(row.hour_lagos)));
  });

  it('counts only the period asked for and refuses a malformed time', async () => {
    const empty = await patterns('?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z');
    assert.equal(empty.body['transfers'], 0, empty.text);
    assert.equal((await patterns('?from=monday')).status, 400);
  });
});
