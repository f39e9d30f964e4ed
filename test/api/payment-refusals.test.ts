// Bad input is a 400 naming the field and the reason, wrong keys and roles are 401/403,
// another tenant's payment is a 404 — and none of it writes anything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, card, createTenant, paymentBody, type Tenant } from '../support/client.ts';

describe('payment refusals', () => {
  let service: TestService;
  let tenant: Tenant;
  let other: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
    other = await createTenant(service, 'Other tenant');
  });
  after(async () => {
    await service.close();
  });
  const pay = (body: unknown, token = tenant.keys['service']!) => call(service, 'POST', '/api/v1/payments', body, { token });

  const badBodies: { name: string; body: Record<string, unknown>; code: string; field: string }[] = [
    { name: 'a JSON number amount', body: paymentBody('b1', { amount: 100 }), code: 'invalid_amount', field: 'amount' },
    { name: 'more decimals than NGN has', body: paymentBody('b2', { amount: '1.001' }), code: 'invalid_amount', field: 'amount' },
    { name: 'decimals in JPY', body: paymentBody('b3', { amount: '1.5', currency: 'JPY' }), code: 'invalid_amount', field: 'amount' },
    { name: 'a negative amount', body: paymentBody('b4', { amount: '-5.00' }), code: 'invalid_amount', field: 'amount' },
    { name: 'a zero amount', body: paymentBody('b5', { amount: '0.00' }), code: 'invalid_amount', field: 'amount' },
    { name: 'an exponent', body: paymentBody('b6', { amount: '1e3' }), code: 'invalid_amount', field: 'amount' },
    { name: 'an absurdly large amount', body: paymentBody('b7', { amount: '99999999999999999999.00' }), code: 'invalid_amount', field: 'amount' },
    { name: 'an unknown currency', body: paymentBody('b8', { currency: 'XYZ' }), code: 'invalid_currency', field: 'currency' },
    { name: 'a number currency', body: paymentBody('b9', { currency: 566 }), code: 'invalid_currency', field: 'currency' },
    { name: 'an unknown field', body: paymentBody('b10', { surprise: true }), code: 'invalid_request', field: 'surprise' },
    { name: 'a missing amount', body: paymentBody('b11', { amount: undefined }), code: 'invalid_amount', field: 'amount' },
    { name: 'a bad transaction id', body: paymentBody('bad id with spaces'), code: 'invalid_request', field: 'transaction_id' },
    { name: 'a card failing the Luhn check', body: paymentBody('b12', { card: card('4242424242424241') }), code: 'invalid_card', field: 'card.number' },
    { name: 'an expired card', body: paymentBody('b13', { card: { number: '4242424242424242', exp_month: 1, exp_year: 2020, cvc: '123' } }), code: 'card_expired', field: 'card.exp_year' },
    { name: 'an unknown processor', body: paymentBody('b14', { processor_id: 'nope' }), code: 'unknown_processor', field: 'processor_id' },
    { name: 'fees above the amount', body: paymentBody('b15', { fees: [{ type: 'fee', amount: '100.01' }] }), code: 'invalid_fees', field: 'fees' },
    { name: 'a fee with too many decimals', body: paymentBody('b16', { fees: [{ type: 'fee', amount: '0.001' }] }), code: 'invalid_amount', field: 'fees.0.amount' },
    { name: 'an FX rate that converts the amount beyond the largest amount', body: paymentBody('b18', { amount: '10000000000000.00', currency: 'USD', settlement_currency: 'IRR', fx_rate: '42000' }), code: 'invalid_fx_rate', field: 'fx_rate' },
    { name: 'an unknown merchant account', body: paymentBody('b17', { merchant_account_id: 'no-such' }), code: 'unknown_account', field: 'merchant_account_id' },
  ];
  for (const { name, body, code, field } of badBodies) {
    it(`refuses ${name} with ${code} on ${field} and writes nothing`, async () => {
      const response = await pay(body);
      assert.ok(response.status >= 400 && response.status < 500, response.text);
      const error = response.body['error'] as { code: string; field?: string };
      assert.equal(error.code, code, response.text);
      assert.equal(error.field, field, response.text);
      assert.equal(response.body['status'], 'error');
      assert.equal(typeof response.body['message'], 'string');
      const transactionId = typeof body['transaction_id'] === 'string' ? body['transaction_id'] : 'none';
      const lookup = await call(service, 'GET', `/api/v1/payments/${encodeURIComponent(transactionId)}`, undefined, { token: tenant.keys['service']! });
      assert.equal(lookup.status, 404);
    });
  }

  it('refuses malformed JSON', async () => {
    const response = await call(service, 'POST', '/api/v1/payments', undefined, { token: tenant.keys['service']!, rawBody: '{"transaction_id": ' });
    assert.equal(response.status, 400);
    assert.equal((response.body['error'] as { code: string }).code, 'malformed_json');
  });

  it('refuses a huge body', async () => {
    const response = await call(service, 'POST', '/api/v1/payments', undefined, { token: tenant.keys['service']!, rawBody: JSON.stringify({ pad: 'x'.repeat(200_000) }) });
    assert.equal(response.status, 413);
    assert.equal((response.body['error'] as { code: string }).code, 'body_too_large');
  });

  it('refuses a missing or wrong key with 401 and a wrong role with 403', async () => {
    assert.equal((await pay(paymentBody('r1'), '')).status, 401);
    assert.equal((await call(service, 'POST', '/api/v1/payments', paymentBody('r1'), { token: null })).status, 401);
    const forged = tenant.keys['service']!.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    assert.equal((await pay(paymentBody('r1'), forged)).status, 401);
    const wrongRole = await pay(paymentBody('r1'), tenant.keys['auditor']);
    assert.equal(wrongRole.status, 403);
    assert.equal((wrongRole.body['error'] as { code: string }).code, 'forbidden');
  });

  it('answers 404 for another tenant\'s payment', async () => {
    const created = await pay(paymentBody('mine-1'));
    assert.equal(created.status, 201);
    const response = await call(service, 'GET', '/api/v1/payments/mine-1', undefined, { token: other.keys['service']! });
    assert.equal(response.status, 404);
    assert.equal((response.body['error'] as { code: string }).code, 'payment_not_found');
    const ledger = await call(service, 'GET', '/api/v1/payments/mine-1/ledger', undefined, { token: other.keys['operator']! });
    assert.equal(ledger.status, 404);
  });

  it('refuses a revoked key', async () => {
    const created = await call(service, 'POST', '/api/v1/api-keys', { role: 'service', name: 'short-lived' }, { token: tenant.adminKey });
    const key = String(created.body['api_key']);
    assert.equal((await call(service, 'GET', '/api/v1/payments/mine-1', undefined, { token: key })).status, 200);
    const revoked = await call(service, 'DELETE', `/api/v1/api-keys/${String(created.body['api_key_id'])}`, undefined, { token: tenant.adminKey });
    assert.equal(revoked.status, 200);
    assert.equal((await call(service, 'GET', '/api/v1/payments/mine-1', undefined, { token: key })).status, 401);
  });

  it('lets only the bootstrap token create tenants', async () => {
    const response = await call(service, 'POST', '/api/v1/tenants', { name: 'x' }, { token: tenant.adminKey });
    assert.equal(response.status, 403);
  });
});
