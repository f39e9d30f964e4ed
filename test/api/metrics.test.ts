// GET /metrics through the real HTTP server (T4): a bearer token when one is configured,
// counters that move with payments, refunds, transfers, reversals, commits (and the
// PostgreSQL store's batches), jobs and notification sends, route templates instead of raw URLs, and no id, key or card number
// in any label. The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { paid, refund } from '../support/refunds.ts';
import { fundedCustomer, toBank } from '../support/transfers.ts';
import { runJob } from '../../src/interfaces/jobs/background-jobs.ts';
import { instrumentJob } from '../../src/interfaces/metrics/instrument-jobs.ts';
import { enqueueNotification } from '../../src/app/notifications/enqueue-notification.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const metricsToken = 'metrics-scraper-token-0123456789';

/** The value of one sample, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics', () => {
  let service: TestService;
  let tenant: Tenant;
  const scrape = async (): Promise<string> => {
    const answer = await call(service, 'GET', '/metrics', undefined, { token: metricsToken });
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return answer.text;
  };
  before(async () => {
    service = await startService({ environment: { CONTRA_METRICS_TOKEN: metricsToken } });
    tenant = await createTenant(service, 'Metrics bank', { reversal_manual_channels: ['branch'] });
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  it('asks for the configured token: none or a wrong one is 401', async () => {
    for (const token of [null, 'wrong-token-0123456789abcdefgh', tenant.adminKey]) {
      const answer = await call(service, 'GET', '/metrics', undefined, { token });
      assert.equal(answer.status, 401, answer.text);
      assert.equal((answer.body['error'] as { code: string }).code, 'unauthorized');
      assert.ok(!answer.text.includes('contra_'), 'no metric leaks to a refused scraper');
    }
    assert.match(await scrape(), /^# HELP contra_process_cpu_user_seconds_total/m);
  });

  it('counts payments, refunds, transfers, reversals, commits and requests by route template', async () => {
    const before = await scrape();
    await paid(service, tenant, 'metrics-pay-1');
    assert.equal((await refund(service, tenant, 'metrics-pay-1', { amount: '40.00' })).status, 200);
    await fundedCustomer(service, tenant, 'metrics-alice');
    assert.equal((await toBank(service, tenant, 'metrics-nip-00', 'metrics-alice', '0123456700', '50.00')).status, 201);
    assert.equal((await toBank(service, tenant, 'metrics-nip-91', 'metrics-alice', '0123456791', '30.00', { channel: 'branch' })).status, 502);
    // Refused and reversed to the sender in the same commit: still a failure, and a reversal.
    assert.equal((await toBank(service, tenant, 'metrics-nip-05', 'metrics-alice', '0123456705', '20.00')).status, 502);
    const afterwards = await scrape();
    const moved = (name: string, labels: Record<string, string>): number => sample(afterwards, name, labels) - sample(before, name, labels);
    const changes = 'contra_transaction_status_changes_total';
    assert.equal(moved(changes, { kind: 'payment', status: 'PAYMENT-SUCCESS' }), 1);
    assert.equal(moved(changes, { kind: 'payment', status: 'PARTIALLY-REFUNDED' }), 1);
    assert.equal(moved(changes, { kind: 'refund', status: 'REFUND-SUCCESS' }), 1);
    assert.equal(moved(changes, { kind: 'transfer', status: 'TRANSFER-SUCCESS' }), 2, 'the funding transfer and the transfer to the other bank');
    assert.equal(moved(changes, { kind: 'transfer', status: 'TRANSFER-FAILED' }), 2, 'both refused transfers, the reversed one too');
    assert.equal(moved(changes, { kind: 'transfer', status: 'TRANSFER-REVERSED' }), 1);
    assert.equal(moved(changes, { kind: 'reversal', status: 'PENDING_APPROVAL' }), 1, 'the branch channel needs a person');
    assert.ok(moved('contra_store_commits_total', { store: service.storeKind, outcome: 'committed' }) >= 6);
    assert.ok(moved('contra_store_commit_duration_seconds_count', { store: service.storeKind }) >= 6);
    const route = { route: '/api/v1/payments/:transaction_id/refunds', method: 'POST', status: '200' };
    assert.equal(moved('contra_http_requests_total', route), 1);
    assert.equal(moved('contra_http_request_duration_seconds_count', route), 1);
    assert.equal(moved('contra_http_requests_total', { route: '/api/v1/transfers', method: 'POST', status: '502' }), 2);
    for (const secret of ['metrics-pay-1', 'metrics-alice', 'metrics-nip', '4242424242424242', tenant.tenantId, tenant.adminKey, metricsToken]) {
      assert.ok(!afterwards.includes(secret), `${secret} is not in the metrics`);
    }
  });

  it('counts the PostgreSQL store\'s batches by how they were committed, and nothing of the kind on the other stores', async () => {
    const before = await scrape();
    await paid(service, tenant, 'metrics-batch-1');
    await paid(service, tenant, 'metrics-batch-2');
    const afterwards = await scrape();
    const batches = (text: string) => ['remembered', 'shifted', 'read', 'stale'].map((path) => sample(text, 'contra_store_batches_total', { path }));
    const [remembered = 0, shifted = 0, read = 0, stale = 0] = batches(afterwards).map((value, index) => value - (batches(before)[index] ?? 0));
    if (service.storeKind !== 'postgres') {
      assert.ok(!afterwards.includes('contra_store_batches_total{'), 'no batch series without a group commit');
      return;
    }
    // Each payment is several commits; one process alone, so none is stale or shifted.
    assert.ok(remembered + read >= 4, `batches counted: ${remembered} remembered, ${read} read`);
    assert.deepEqual([shifted, stale], [0, 0]);
    const store = service.runtime.deps.store as unknown as { batchCounts(): Record<string, number> };
    const scraped = sample(afterwards, 'contra_store_batches_total', { path: 'remembered' });
    assert.ok(scraped > 0 && scraped <= (store.batchCounts()['remembered'] ?? 0), 'the scrape reports what the store had counted');
  });

  it('gives unmatched paths one label value, whatever the URL', async () => {
    await call(service, 'GET', '/no/such/path-0001', undefined, {});
    await call(service, 'GET', '/no/such/path-0002', undefined, {});
    const text = await scrape();
    assert.ok(sample(text, 'contra_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }) >= 2);
    assert.ok(!text.includes('path-0001'));
  });

  it('counts job runs and notification sends by job, channel and outcome', async () => {
    const { deps } = service.runtime;
    const write = enqueueNotification(deps.ids, tenant.tenantId as TenantId, deps.clock.now(), {
      audience: 'customer', recipient: '+2348030000009', template: 'reversal.completed',
      data: { amount_minor: '250000', currency: 'NGN', reversal_reference: 'TXR-2026-000009' }, source: 'test',
    });
    assert.ok(write.ok);
    assert.ok((await deps.store.commit({ tenantId: tenant.tenantId as TenantId, at: deps.clock.now(), records: [write.value] })).ok);
    const job = instrumentJob({ name: 'deliver-notifications', run: () => runJob('deliver-notifications', service.runtime) }, service.runtime.metrics);
    await job.run();
    const failing = instrumentJob({ name: 'backup', run: () => Promise.reject(new Error('disk full')) }, service.runtime.metrics);
    await assert.rejects(failing.run(), /disk full/);
    const text = await scrape();
    assert.ok(sample(text, 'contra_notification_deliveries_total', { channel: 'log', audience: 'customer', outcome: 'delivered' }) >= 1);
    assert.equal(sample(text, 'contra_job_runs_total', { job: 'deliver-notifications', outcome: 'succeeded' }), 1);
    assert.equal(sample(text, 'contra_job_runs_total', { job: 'backup', outcome: 'failed' }), 1);
    assert.equal(sample(text, 'contra_job_duration_seconds_count', { job: 'backup' }), 1);
    assert.ok(!text.includes('+2348030000009'));
  });
});

describe('GET /metrics without CONTRA_METRICS_TOKEN', () => {
  it('is open, like /healthz on the loopback default', async () => {
    const service = await startService();
    try {
      const answer = await call(service, 'GET', '/metrics', undefined, {});
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.text, /^# TYPE contra_http_requests_total counter$/m);
    } finally {
      await service.close();
    }
  });
});
