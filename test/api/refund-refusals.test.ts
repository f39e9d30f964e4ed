// Every refusal of POST /api/v1/payments/:id/refunds (R2) through the HTTP API, each with
// its own code and field, and each leaving the payment exactly as it was.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, card, createTenant, paymentBody, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { paid, payment, refund } from '../support/refunds.ts';
import { refundsPerPaymentMax } from '../../src/app/refunds/request-refund.ts';

const dayMs = 86_400_000;

function assertRefused(response: Response, status: number, code: string, field?: string): void {
  assert.equal(response.status, status, response.text);
  const error = response.body['error'] as { code: string; field?: string };
  assert.equal(error.code, code, response.text);
  if (field !== undefined) assert.equal(error.field, field, response.text);
  assert.equal(response.body['status'], 'error');
}

describe('refund refusals', () => {
  let service: TestService;
  let tenant: Tenant;
  const clock = { offsetMs: 0, now(): number { return Date.now() + this.offsetMs; } };
  before(async () => {
    service = await startService({ clock });
    tenant = await createTenant(service, 'Refusals', { refund_window_days: 30 });
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  /** Refuses, and the payment reads the same before and after. */
  async function refusedUnchanged(transactionId: string, body: Record<string, unknown>, status: number, code: string, field?: string): Promise<void> {
    const before = await payment(service, tenant, transactionId);
    assertRefused(await refund(service, tenant, transactionId, body), status, code, field);
    const after = await payment(service, tenant, transactionId);
    assert.deepEqual({ ...after, updated_at: null }, { ...before, updated_at: null });
    assert.equal(after['updated_at'], before['updated_at']);
  }

  it('404 payment_not_found for an unknown payment, and for another tenant\'s', async () => {
    assertRefused(await refund(service, tenant, 'no-such-payment', {}), 404, 'payment_not_found', 'transaction_id');
    const other = await createTenant(service, 'Other');
    await paid(service, other, 'theirs');
    assertRefused(await refund(service, tenant, 'theirs', {}), 404, 'payment_not_found');
    assert.equal((await payment(service, other, 'theirs'))['refunded'], '0.00');
  });

  it('422 payment_not_settled while the payment is pending at the processor', async () => {
    const pending = await call(service, 'POST', '/api/v1/payments', paymentBody('still-pending', { card: card('4000000000003220') }), { token: tenant.keys['service']! });
    assert.equal(pending.status, 202, pending.text);
    await refusedUnchanged('still-pending', {}, 422, 'payment_not_settled', 'transaction_id');
  });

  it('422 payment_failed for a declined payment', async () => {
    const failed = await call(service, 'POST', '/api/v1/payments', paymentBody('was-declined', { card: card('4000000000000002') }), { token: tenant.keys['service']! });
    assert.equal(failed.body['status'], 'PAYMENT-FAILED', failed.text);
    await refusedUnchanged('was-declined', {}, 422, 'payment_failed');
  });

  it('409 already_refunded once everything is refunded', async () => {
    await paid(service, tenant, 'all-gone');
    assert.equal((await refund(service, tenant, 'all-gone', {})).status, 200);
    await refusedUnchanged('all-gone', { amount: '0.01' }, 409, 'already_refunded');
  });

  it('422 refund_exceeds_remaining above what remains, measured against what was captured', async () => {
    await paid(service, tenant, 'too-much', { amount: '50.00' });
    await refusedUnchanged('too-much', { amount: '50.01' }, 422, 'refund_exceeds_remaining', 'amount');
    assert.equal((await refund(service, tenant, 'too-much', { amount: '20.00' })).status, 200);
    await refusedUnchanged('too-much', { amount: '30.01' }, 422, 'refund_exceeds_remaining', 'amount');
    assert.equal((await refund(service, tenant, 'too-much', { amount: '30.00' })).status, 200);
  });

  it('422 refund_currency_mismatch for another currency; 400 invalid_currency for a made-up one', async () => {
    await paid(service, tenant, 'in-naira');
    await refusedUnchanged('in-naira', { amount: '1.00', currency: 'USD' }, 422, 'refund_currency_mismatch', 'currency');
    await refusedUnchanged('in-naira', { amount: '1.00', currency: 'NAIRA' }, 400, 'invalid_currency', 'currency');
  });

  it('400 for every bad amount and a missing reason, naming the field', async () => {
    await paid(service, tenant, 'bad-amounts');
    for (const amount of ['-1.00', '0.00', '1.001', '1e3', ' 1.00', '']) await refusedUnchanged('bad-amounts', { amount }, 400, 'invalid_amount', 'amount');
    await refusedUnchanged('bad-amounts', { amount: 5 }, 400, 'invalid_amount', 'amount');
    const noReason = await call(service, 'POST', '/api/v1/payments/bad-amounts/refunds', { amount: '1.00' }, { token: tenant.keys['service']! });
    assertRefused(noReason, 400, 'invalid_request', 'reason');
    const extra = await refund(service, tenant, 'bad-amounts', { amount: '1.00', card_number: '4242424242424242' });
    assertRefused(extra, 400, 'invalid_request');
    assert.ok(!extra.text.includes('4242424242424242'));
  });

  it('422 chargeback_open while a chargeback is open (R9)', async () => {
    await paid(service, tenant, 'disputed', { cardNumber: '4000000000000259' });
    const opened = await call(service, 'POST', '/api/v1/payments/disputed/chargebacks', { amount: '100.00', reason_code: '10.4' }, { token: tenant.keys['operator']! });
    assert.equal(opened.status, 201, opened.text);
    await refusedUnchanged('disputed', { amount: '1.00' }, 422, 'chargeback_open');
  });

  it('422 refund_window_closed after the tenant\'s refund window', async () => {
    await paid(service, tenant, 'old-sale');
    clock.offsetMs = 31 * dayMs;
    try {
      await refusedUnchanged('old-sale', {}, 422, 'refund_window_closed');
    } finally {
      clock.offsetMs = 0;
    }
    assert.equal((await refund(service, tenant, 'old-sale', { amount: '1.00' })).status, 200, 'inside the window again');
  });

  it(`422 too_many_refunds after ${refundsPerPaymentMax} refunds of one payment`, async () => {
    await paid(service, tenant, 'many-parts');
    for (let index = 0; index < refundsPerPaymentMax; index++) assert.equal((await refund(service, tenant, 'many-parts', { amount: '0.01' })).status, 200);
    await refusedUnchanged('many-parts', { amount: '0.01' }, 422, 'too_many_refunds');
  });

  it('403 for a role that may not refund, 401 without a key, 404 refund_not_found on reads', async () => {
    await paid(service, tenant, 'roles');
    for (const role of ['auditor', 'approver']) assertRefused(await refund(service, tenant, 'roles', {}, undefined, role), 403, 'forbidden');
    const anonymous = await call(service, 'POST', '/api/v1/payments/roles/refunds', { reason: 'x' }, { token: null });
    assertRefused(anonymous, 401, 'unauthorized');
    assertRefused(await call(service, 'GET', '/api/v1/refunds/roles-REFUND', undefined, { token: tenant.keys['operator']! }), 404, 'refund_not_found');
    assertRefused(await call(service, 'POST', '/api/v1/refunds/roles-REFUND/rollback', { reason: 'x' }, { token: tenant.keys['approver']! }), 404, 'refund_not_found');
    assert.equal((await payment(service, tenant, 'roles'))['refunded'], '0.00');
  });

  it('400 on a payment or transfer whose id ends like a refund id, so refunds never collide with it in the ledger (R5)', async () => {
    await paid(service, tenant, 'order-7');
    for (const id of ['order-7-REFUND', 'order-7-REFUND-2', 'order-7-REFUND-10']) {
      assertRefused(await call(service, 'POST', '/api/v1/payments', paymentBody(id), { token: tenant.keys['service']! }), 400, 'invalid_request', 'transaction_id');
      const sent = await call(service, 'POST', '/api/v1/transfers', {
        reference: id, sender_account_id: 'nobody', receiver: { account_id: 'anybody' }, amount: '1.00', currency: 'NGN',
      }, { token: tenant.keys['service']! });
      assertRefused(sent, 400, 'invalid_request', 'reference');
    }
    // Both refunds take the ids no client may use: order-7-REFUND, then order-7-REFUND-2.
    for (const amount of ['10.00', '5.00']) assert.equal((await refund(service, tenant, 'order-7', { amount })).status, 200);
    assert.deepEqual((await payment(service, tenant, 'order-7'))['refund_ids'], ['order-7-REFUND', 'order-7-REFUND-2']);
    // Only the exact ending is reserved.
    for (const id of ['order-7-REFUNDED', 'order-7-refund', 'REFUND-7']) await paid(service, tenant, id);
  });
});
