// Transfer outcomes as CloudWatch embedded metrics (T4 on Lambda): every transfer that
// ends — succeeded, failed, or escalated after the status-query limit — counts once, from
// the changeset the store committed, whether the HTTP handler settled it or the scheduled
// status-query job did later. The stack's transfer failure-rate alarm reads these.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { adminToken } from '../support/service.ts';
import { captureStdoutJson, emfMetrics, lambdaContext, openTestLambdaRoot, recordedEvent, type StdoutCapture, type TestLambdaRoot } from '../support/lambda.ts';
import { httpHandlerFor, type HttpHandler } from '../../src/interfaces/lambda/http-handler.ts';
import { scheduledHandlerFor } from '../../src/interfaces/lambda/scheduled-handler.ts';
import { metricNames } from '../../src/interfaces/lambda/lambda-contract.ts';
import type { ProxyResult } from '../../src/interfaces/lambda/proxy-event.ts';

const body = (result: ProxyResult) => JSON.parse(result.body) as Record<string, unknown>;
const context = lambdaContext('contra-http');

describe('transfer outcomes as embedded metrics', () => {
  let lambda: TestLambdaRoot;
  let handler: HttpHandler;
  let stdout: StdoutCapture;
  const keys: Record<string, string> = {};
  /** A REST API (v1) event for any route, from the recorded one. */
  const post = (token: string, path: string, payload: unknown) => handler({
    ...(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: token }) as Record<string, unknown>), resource: path, path, body: JSON.stringify(payload),
  }, context);
  const linesDuring = async (work: () => Promise<unknown>) => {
    const from = stdout.lines.length;
    await work();
    return stdout.lines.slice(from);
  };
  const toBank = (reference: string, accountNumber: string) => post(keys['service'] ?? '', '/api/v1/transfers', {
    reference, sender_account_id: 'alice', amount: '500.00', currency: 'NGN', receiver: { bank_code: '999', account_number: accountNumber, account_name: 'Ada Obi' },
  });

  before(async () => {
    stdout = captureStdoutJson();
    lambda = await openTestLambdaRoot({ CONTRA_REQUERY_DELAY_MS: '0', CONTRA_REQUERY_ATTEMPTS_MAX: '1' });
    handler = httpHandlerFor(lambda.root);
    const created = await post(adminToken, '/api/v1/tenants', { name: 'Metrics bank' });
    assert.equal(created.statusCode, 201, created.body);
    for (const role of ['operator', 'service']) {
      const key = await post(String(body(created)['api_key']), '/api/v1/api-keys', { role, name: `lambda ${role}` });
      assert.equal(key.statusCode, 201, key.body);
      keys[role] = String(body(key)['api_key']);
    }
    for (const [id, type] of [['alice-funding', 'suspense'], ['alice', 'customer']]) {
      const account = await post(keys['operator'] ?? '', '/api/v1/accounts', { account_id: id, type, currency: 'NGN' });
      assert.equal(account.statusCode, 201, account.body);
    }
    const funded = await post(keys['service'] ?? '', '/api/v1/transfers', { reference: 'fund', sender_account_id: 'alice-funding', receiver: { account_id: 'alice' }, amount: '100000.00', currency: 'NGN' });
    assert.equal(funded.statusCode, 201, funded.body);
  });
  afterEach(async () => assertLedgerBalances(lambda.root.runtime.deps.store));
  after(async () => {
    stdout.restore();
    await lambda.close();
  });

  it('counts a transfer the switch pays and one it refuses, once each', async () => {
    let answers: ProxyResult[] = [];
    const lines = await linesDuring(async () => {
      answers = [await toBank('emf-paid', '0123456000'), await toBank('emf-refused', '0123456005')];
    });
    // The refused one is reversed to the sender in the same commit: its ledger says
    // TRANSFER-FAILED then TRANSFER-REVERSED, and the failure still counts.
    const statuses = answers.map((answer) => (body(answer)['transfer'] as { transfer_status: string }).transfer_status);
    assert.deepEqual(statuses, ['TRANSFER-SUCCESS', 'TRANSFER-REVERSED'], answers.map((answer) => answer.body).join('\n'));
    const metrics = emfMetrics(lines);
    assert.equal(metrics.get(metricNames.transferSucceeded), 1);
    assert.equal(metrics.get(metricNames.transferFailed), 1);
    assert.equal(metrics.get(metricNames.transferEscalated), undefined);
  });

  it('counts the outcome the scheduled status query settles later, not the first uncertain answer', async () => {
    let first: ProxyResult | undefined;
    const requested = await linesDuring(async () => {
      first = await toBank('emf-later', '0123456101'); // 01 at first; the status query finds 05
    });
    assert.equal(first?.statusCode, 202, first?.body);
    assert.equal([...emfMetrics(requested).keys()].filter((name) => name.startsWith('Transfer')).length, 0, 'nothing ended yet');
    const settled = await linesDuring(() => scheduledHandlerFor(lambda.root, 'requery-transfers')(recordedEvent('scheduled-event.json', { JOB: 'requery-transfers' }), lambdaContext('contra-requery-transfers')));
    assert.equal(emfMetrics(settled).get(metricNames.transferFailed), 1);
  });
});
