// The whole HTTP API as one Lambda handler, driven by recorded API Gateway events (REST API
// payload v1 and HTTP API payload v2): the same routes, bodies and codes as the server,
// query strings in both payload forms, refund metrics as EMF, and redacted logs.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { adminToken } from '../support/service.ts';
import { captureStdoutJson, emfMetrics, lambdaContext, openTestLambdaRoot, recordedEvent, type StdoutCapture, type TestLambdaRoot } from '../support/lambda.ts';
import { httpHandlerFor, type HttpHandler } from '../../src/interfaces/lambda/http-handler.ts';
import { metricNames, metricsNamespace } from '../../src/interfaces/lambda/lambda-contract.ts';
import type { ProxyResult } from '../../src/interfaces/lambda/proxy-event.ts';

const body = (result: ProxyResult) => JSON.parse(result.body) as Record<string, unknown>;
const context = lambdaContext('contra-http');

describe('HTTP API Lambda handler', () => {
  let lambda: TestLambdaRoot;
  let handler: HttpHandler;
  let apiKey: string;
  // Powertools writes to stdout; the whole suite's output is captured and inspected.
  let stdout: StdoutCapture;
  const linesDuring = async (work: () => Promise<unknown>) => {
    const from = stdout.lines.length;
    await work();
    return stdout.lines.slice(from);
  };
  const pay = async (transactionId: string, cardNumber = '4242424242424242') =>
    handler(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: transactionId, CARD_NUMBER: cardNumber }), context);
  const refund = (transactionId: string, idempotencyKey: string) =>
    handler(recordedEvent('refund-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: transactionId, IDEMPOTENCY_KEY: idempotencyKey }), context);

  before(async () => {
    stdout = captureStdoutJson();
    lambda = await openTestLambdaRoot();
    handler = httpHandlerFor(lambda.root);
    const created = await handler(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }), context);
    assert.equal(created.statusCode, 201, created.body);
    apiKey = String(body(created)['api_key']);
  });
  afterEach(async () => assertLedgerBalances(lambda.root.runtime.deps.store));
  after(async () => {
    stdout.restore();
    await lambda.close();
  });

  it('creates a payment from an HTTP API (v2) event and reads it from a REST API (v1) event', async () => {
    const created = await pay('lambda-http-1');
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(body(created)['status'], 'PAYMENT-SUCCESS');
    assert.deepEqual(body(created)['card'], { brand: 'visa', last4: '4242' });
    assert.match(created.headers['content-type'] ?? '', /^application\/json/);
    const read = await handler(recordedEvent('payment-get-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: 'lambda-http-1' }), context);
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(body(read)['amount'], '100.00');
    assert.ok(!read.body.includes('4242424242424242'));
  });

  it('passes query strings of both payload forms: REST multi-value parameters and the HTTP API raw query', async () => {
    await pay('lambda-http-2');
    for (const name of ['audit-search-rest-v1.json', 'audit-search-http-v2.json']) {
      // Audit search is for auditors; the admin key's refusal proves the route and its checks ran.
      const refused = await handler(recordedEvent(name, { API_KEY: apiKey, TRANSACTION_ID: 'lambda-http-2' }), context);
      assert.equal(refused.statusCode, 403, refused.body);
    }
    const auditorKey = await handler({
      ...(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: apiKey }) as Record<string, unknown>),
      path: '/api/v1/api-keys',
      body: JSON.stringify({ role: 'auditor', name: 'lambda auditor' }),
    }, context);
    assert.equal(auditorKey.statusCode, 201, auditorKey.body);
    for (const name of ['audit-search-rest-v1.json', 'audit-search-http-v2.json']) {
      const page = await handler(recordedEvent(name, { API_KEY: String(body(auditorKey)['api_key']), TRANSACTION_ID: 'lambda-http-2' }), context);
      assert.equal(page.statusCode, 200, page.body);
      const rows = body(page)['data'] as { transaction_id: string }[];
      assert.equal(rows.length, 2, `${name}: limit=2 applied`);
      assert.ok(rows.every((row) => row.transaction_id === 'lambda-http-2'), `${name}: filtered by transaction_id`);
      assert.equal(typeof body(page)['next_cursor'], 'string');
    }
  });

  it('answers a refund with the seed-001 Refund Processing Lambda shape and counts it in EMF', async () => {
    await pay('lambda-http-3');
    await pay('lambda-http-4', '4000000000005126');
    let refunded: ProxyResult | undefined;
    let declined: ProxyResult | undefined;
    const lines = await linesDuring(async () => {
      refunded = await refund('lambda-http-3', 'lambda-http-key-3');
      declined = await refund('lambda-http-4', 'lambda-http-key-4');
    });
    assert.ok(refunded && declined);
    assert.equal(refunded.statusCode, 200, refunded.body);
    assert.equal(typeof refunded.body, 'string');
    const seedShape = body(refunded);
    assert.deepEqual(
      { message: seedShape['message'], refund_transaction_id: seedShape['refund_transaction_id'], status: seedShape['status'], processor_message: typeof seedShape['processor_message'] },
      { message: 'Refund processed successfully.', refund_transaction_id: 'lambda-http-3-REFUND', status: 'success', processor_message: 'string' },
    );
    assert.equal(declined.statusCode, 502, declined.body);
    const metrics = emfMetrics(lines);
    assert.equal(metrics.get(metricNames.refundRequested), 2);
    assert.equal(metrics.get(metricNames.refundSucceeded), 1);
    assert.equal(metrics.get(metricNames.refundFailed), 1);
    const emf = lines.find((line) => line[metricNames.refundRequested] !== undefined);
    assert.equal((emf?.['_aws'] as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Namespace, metricsNamespace);
    assert.equal(emf?.['service'], 'contra');
  });

  it('logs each request with the Lambda context, and never a card number or key', async () => {
    const lines = await linesDuring(() => pay('lambda-http-5'));
    const requestLog = lines.find((line) => line['message'] === 'request');
    assert.ok(requestLog, JSON.stringify(lines));
    assert.equal(requestLog['function_request_id'], context.awsRequestId);
    assert.equal(requestLog['statusCode'], 201);
    const everything = JSON.stringify(stdout.lines) + lambda.pinoLogs.join('\n');
    assert.ok(!everything.includes('4242424242424242'));
    assert.ok(!everything.includes(apiKey));
  });

  it('refuses what is not a proxy event with 400, an unknown route with 404, broken JSON with 400', async () => {
    const notProxy = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, context);
    assert.equal(notProxy.statusCode, 400);
    assert.equal((body(notProxy)['error'] as { field: string }).field, 'event');
    const event = recordedEvent('payment-get-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: 'x' }) as Record<string, unknown>;
    const unknown = await handler({ ...event, path: '/api/v1/nothing-here' }, context);
    assert.equal(unknown.statusCode, 404);
    assert.equal((body(unknown)['error'] as { code: string }).code, 'route_not_found');
    const payment = recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey }) as Record<string, unknown>;
    const broken = await handler({ ...payment, body: '{"transaction_id":' }, context);
    assert.equal(broken.statusCode, 400, broken.body);
    assert.equal((body(broken)['error'] as { code: string }).code, 'malformed_json');
  });
});
