// The Refund Processing Lambda (seed 001) with recorded API Gateway events, REST API v1
// and HTTP API v2 (base64 body): the seed's `{ statusCode, body }` with body `{ message,
// refund_transaction_id, status, processor_message }`, replays, refusals, and events it
// must not handle. It runs over the same runtime as the HTTP service.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { paid, payment } from '../support/refunds.ts';
import { createLogger } from '../../src/interfaces/logger.ts';
import { buildRefundHandler, type RefundHandler } from '../../src/interfaces/lambda/refund-handler.ts';

function recordedEvent(name: string, values: { transactionId: string; apiKey: string; idempotencyKey: string }): unknown {
  const text = readFileSync(new URL(`./events/${name}`, import.meta.url), 'utf8')
    .replaceAll('{{TRANSACTION_ID}}', values.transactionId)
    .replaceAll('{{API_KEY}}', values.apiKey)
    .replaceAll('{{IDEMPOTENCY_KEY}}', values.idempotencyKey);
  return JSON.parse(text) as unknown;
}

describe('refund Lambda handler', () => {
  let service: TestService;
  let tenant: Tenant;
  let handler: RefundHandler;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
    handler = await buildRefundHandler(service.runtime, createLogger('silent'));
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  it('refunds from a REST API (v1) event with the seed-001 response, and replays it', async () => {
    await paid(service, tenant, 'lambda-v1');
    const event = recordedEvent('refund-rest-v1.json', { transactionId: 'lambda-v1', apiKey: tenant.keys['service']!, idempotencyKey: 'lambda-key-1' });
    const result = await handler(event);
    assert.equal(result.statusCode, 200, result.body);
    const body = JSON.parse(result.body) as Record<string, unknown>;
    assert.deepEqual(
      { message: body['message'], refund_transaction_id: body['refund_transaction_id'], status: body['status'], processor_message: typeof body['processor_message'] },
      { message: 'Refund processed successfully.', refund_transaction_id: 'lambda-v1-REFUND', status: 'success', processor_message: 'string' },
    );
    const replay = await handler(event);
    assert.equal(replay.body, result.body);
    assert.equal(replay.headers['idempotency-replayed'], 'true');
    assert.equal((await payment(service, tenant, 'lambda-v1'))['refunded'], '25.00');
  });

  it('refunds all that remains from an HTTP API (v2) event with a base64 body', async () => {
    await paid(service, tenant, 'lambda-v2');
    const result = await handler(recordedEvent('refund-http-v2.json', { transactionId: 'lambda-v2', apiKey: tenant.keys['service']!, idempotencyKey: 'lambda-key-2' }));
    assert.equal(result.statusCode, 200, result.body);
    assert.equal((JSON.parse(result.body) as { refund: { amount: string } }).refund.amount, '100.00');
  });

  it('answers refusals with the catalog codes of the HTTP API', async () => {
    const unknown = await handler(recordedEvent('refund-rest-v1.json', { transactionId: 'lambda-none', apiKey: tenant.keys['service']!, idempotencyKey: 'lambda-key-3' }));
    assert.equal(unknown.statusCode, 404);
    assert.equal((JSON.parse(unknown.body) as { error: { code: string } }).error.code, 'payment_not_found');
    const badKey = await handler(recordedEvent('refund-rest-v1.json', { transactionId: 'lambda-v1', apiKey: 'ctr.nope.nope.nope', idempotencyKey: 'lambda-key-4' }));
    assert.equal(badKey.statusCode, 401);
    await paid(service, tenant, 'lambda-declined', { cardNumber: '4000000000005126' });
    const declined = await handler(recordedEvent('refund-rest-v1.json', { transactionId: 'lambda-declined', apiKey: tenant.keys['service']!, idempotencyKey: 'lambda-key-5' }));
    assert.equal(declined.statusCode, 502);
    assert.equal((JSON.parse(declined.body) as { status: string }).status, 'failed');
  });

  it('refuses events that are not a refund request', async () => {
    const notProxy = await handler({ detail: 'an EventBridge event' });
    assert.equal(notProxy.statusCode, 400);
    const event = recordedEvent('refund-rest-v1.json', { transactionId: 'lambda-v1', apiKey: tenant.keys['service']!, idempotencyKey: 'lambda-key-6' }) as Record<string, unknown>;
    const otherRoute = await handler({ ...event, path: '/api/v1/payments' });
    assert.equal(otherRoute.statusCode, 404);
    assert.equal((JSON.parse(otherRoute.body) as { error: { code: string } }).error.code, 'route_not_found');
    const malformed = await handler({ ...event, body: '{"amount":' });
    assert.equal(malformed.statusCode, 400);
    assert.equal((JSON.parse(malformed.body) as { error: { code: string } }).error.code, 'malformed_json');
  });
});
