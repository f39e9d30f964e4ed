// The scheduled Lambda handlers, driven by a recorded EventBridge scheduled event: each
// runs its job once over the Lambda root (a payment and a refund left pending are settled
// by the requery jobs, checkpoints are sealed), counts the run in EMF, and refuses to run
// for anything that is not a scheduled event.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { adminToken } from '../support/service.ts';
import { captureStdoutJson, emfMetrics, lambdaContext, openTestLambdaRoot, recordedEvent, type StdoutCapture, type TestLambdaRoot } from '../support/lambda.ts';
import { httpHandlerFor, type HttpHandler } from '../../src/interfaces/lambda/http-handler.ts';
import { scheduledHandlerFor } from '../../src/interfaces/lambda/scheduled-handler.ts';
import { metricNames, scheduledHandlers } from '../../src/interfaces/lambda/lambda-contract.ts';
import { jobNames } from '../../src/interfaces/jobs/background-jobs.ts';
import type { ProxyResult } from '../../src/interfaces/lambda/proxy-event.ts';
import { enqueueNotification } from '../../src/app/notifications/enqueue-notification.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const body = (result: ProxyResult) => JSON.parse(result.body) as Record<string, unknown>;
const scheduledEvent = (job: string) => recordedEvent('scheduled-event.json', { JOB: job });

describe('scheduled Lambda handlers', () => {
  let lambda: TestLambdaRoot;
  let http: HttpHandler;
  let apiKey: string;
  let stdout: StdoutCapture;
  const context = lambdaContext('contra-jobs');
  const read = async (transactionId: string) => {
    const result = await http(recordedEvent('payment-get-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: transactionId }));
    assert.equal(result.statusCode, 200, result.body);
    return body(result);
  };

  before(async () => {
    stdout = captureStdoutJson();
    lambda = await openTestLambdaRoot();
    http = httpHandlerFor(lambda.root);
    const created = await http(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }));
    apiKey = String(body(created)['api_key']);
  });
  afterEach(async () => assertLedgerBalances(lambda.root.runtime.deps.store));
  after(async () => {
    stdout.restore();
    await lambda.close();
  });

  it('has one scheduled handler for every job that exists', () => {
    assert.deepEqual(scheduledHandlers.map((entry) => entry.job).sort(), [...jobNames].sort());
  });

  it('counts in EMF a notification moved to the dead letter and the items a run left undone, for the alarms (N1, T4)', async () => {
    const { deps } = lambda.root.runtime;
    const tenantId = 'ten_dead_letter' as TenantId;
    const write = enqueueNotification(deps.ids, tenantId, deps.clock.now(), {
      audience: 'customer', recipient: '+2348030000009', template: 'reversal.completed', data: { amount_minor: '100', currency: 'NGN', reversal_reference: 'TXR-2026-000999' }, source: 'test',
    });
    assert.ok(write.ok);
    // Data this release's template refuses (an amount with decimals): no retry mends it.
    const refused = { ...write.value, body: { ...write.value.body, data: { amount_minor: '1.5', currency: 'NGN', reversal_reference: 'TXR-2026-000999' } } };
    assert.ok((await deps.store.commit({ tenantId, at: deps.clock.now(), records: [refused] })).ok);
    const from = stdout.lines.length;
    const result = await scheduledHandlerFor(lambda.root, 'deliver-notifications')(scheduledEvent('deliver-notifications'), context);
    assert.equal(result.status, 'done');
    const metrics = emfMetrics(stdout.lines.slice(from));
    assert.equal(metrics.get(metricNames.notificationDeadLettered), 1, JSON.stringify(result));
    assert.equal(metrics.get(metricNames.jobItemErrors), 0);
  });

  it('settles a payment the processor never answered, on the requery-payments schedule', async () => {
    const created = await http(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: 'job-pay-1', CARD_NUMBER: '4000000000003220' }));
    assert.equal(created.statusCode, 202, created.body);
    const from = stdout.lines.length;
    const result = await scheduledHandlerFor(lambda.root, 'requery-payments')(scheduledEvent('requery-payments'), context);
    assert.equal(result.status, 'done');
    assert.deepEqual(result.report, { examined: 1, settled: 1, stillPending: 0, escalated: 0, refused: 0, errors: 0, errorReasons: [] });
    assert.equal((await read('job-pay-1'))['status'], 'PAYMENT-SUCCESS');
    const metrics = emfMetrics(stdout.lines.slice(from));
    assert.equal(metrics.get(metricNames.jobRun), 1);
    assert.equal(metrics.get(metricNames.jobFailed), undefined);
  });

  it('settles a refund left pending, on the requery-refunds schedule', async () => {
    const paid = await http(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: 'job-ref-1', CARD_NUMBER: '4000000000007726' }));
    assert.equal(paid.statusCode, 201, paid.body);
    const refund = await http(recordedEvent('refund-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: 'job-ref-1', IDEMPOTENCY_KEY: 'job-ref-key-1' }));
    assert.equal(refund.statusCode, 202, refund.body);
    const result = await scheduledHandlerFor(lambda.root, 'requery-refunds')(scheduledEvent('requery-refunds'), context);
    assert.equal(result.status, 'done');
    assert.equal((result.report as { settled: number }).settled, 1);
    assert.equal((await read('job-ref-1'))['refunded'], '25.00');
  });

  it('seals audit checkpoints on the seal-audit-checkpoints schedule', async () => {
    const result = await scheduledHandlerFor(lambda.root, 'seal-audit-checkpoints')(scheduledEvent('seal-audit-checkpoints'), context);
    assert.equal(result.status, 'done');
    assert.ok((result.report as { checkpoints: number }).checkpoints >= 1, JSON.stringify(result));
  });

  it('reconciles every tenant in real time and yesterday in batch, on the reconciliation schedules (V6)', async () => {
    for (const job of ['reconcile-real-time', 'reconcile-eod'] as const) {
      const result = await scheduledHandlerFor(lambda.root, job)(scheduledEvent(job), context);
      assert.equal(result.status, 'done', JSON.stringify(result));
      const report = result.report as { tenants: number; completed: number; refused: number; mismatches: number };
      assert.ok(report.tenants >= 1 && report.completed === report.tenants, JSON.stringify(report));
    }
    const store = lambda.root.runtime.deps.store;
    const [tenantId] = await store.listTenantIds();
    assert.ok(tenantId !== undefined);
    const logs = await store.listRecords(tenantId, 'reconciliation_log', { limit: 10 });
    assert.deepEqual(logs.items.map((record) => record.body['type']).sort(), ['batch_eod', 'real_time']);
  });

  it('runs nothing for an event that is not an EventBridge scheduled event', async () => {
    const created = await http(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: 'job-pay-2', CARD_NUMBER: '4000000000003220' }));
    assert.equal(created.statusCode, 202, created.body);
    const handler = scheduledHandlerFor(lambda.root, 'requery-payments');
    for (const event of [recordedEvent('payment-get-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: 'job-pay-2' }), { source: 'aws.events' }, null]) {
      const result = await handler(event, context);
      assert.equal(result.status, 'refused');
    }
    assert.equal((await read('job-pay-2'))['status'], 'PAYMENT-PENDING');
  });
});
