// Chargebacks (R9) through the HTTP API: an open chargeback blocks refunds; won releases
// the block; lost keeps the amount out of what remains refundable and journals it.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ledger, paid, payment, refund } from '../support/refunds.ts';

describe('chargebacks', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());
  const open = (id: string, amount: string, key?: string): Promise<Response> => call(service, 'POST', `/api/v1/payments/${id}/chargebacks`, { amount, reason_code: '13.1' }, {
    token: tenant.keys['operator']!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });
  const resolve = (id: string, outcome: string): Promise<Response> => call(service, 'POST', `/api/v1/chargebacks/${id}/resolve`, { outcome }, { token: tenant.keys['operator']! });
  const idOf = (response: Response): string => (response.body['chargeback'] as { chargeback_id: string }).chargeback_id;

  it('blocks refunds while open and releases them when won', async () => {
    await paid(service, tenant, 'cb-won', { cardNumber: '4000000000000259' });
    const opened = await open('cb-won', '60.00', 'cb-key');
    assert.equal(opened.status, 201, opened.text);
    assert.equal(opened.body['status'], 'open');
    const replay = await open('cb-won', '60.00', 'cb-key');
    assert.equal(replay.text, opened.text);
    assert.equal(replay.headers.get('idempotency-replayed'), 'true');
    assert.equal((await refund(service, tenant, 'cb-won', { amount: '1.00' })).status, 422);
    const won = await resolve(idOf(opened), 'won');
    assert.equal(won.status, 200, won.text);
    assert.equal(won.body['status'], 'won');
    assert.equal((await resolve(idOf(opened), 'won')).status, 200, 'resolving again the same way is harmless');
    assert.equal((await resolve(idOf(opened), 'lost')).status, 409);
    assert.equal((await payment(service, tenant, 'cb-won'))['refundable'], '100.00');
    assert.equal((await refund(service, tenant, 'cb-won', {})).status, 200);
  });

  it('takes a lost chargeback out of what remains refundable and journals it', async () => {
    await paid(service, tenant, 'cb-lost', { cardNumber: '4000000000000259' });
    assert.equal((await refund(service, tenant, 'cb-lost', { amount: '30.00' })).status, 200);
    const tooMuch = await open('cb-lost', '70.01');
    assert.equal(tooMuch.status, 422, tooMuch.text);
    assert.equal((tooMuch.body['error'] as { code: string }).code, 'chargeback_exceeds_captured');
    const opened = await open('cb-lost', '50.00');
    assert.equal((await resolve(idOf(opened), 'lost')).status, 200);
    const after = await payment(service, tenant, 'cb-lost');
    assert.deepEqual([after['refunded'], after['refundable']], ['30.00', '20.00']);
    const exceeded = await refund(service, tenant, 'cb-lost', { amount: '20.01' });
    assert.equal((exceeded.body['error'] as { code: string }).code, 'refund_exceeds_remaining');
    assert.equal((await refund(service, tenant, 'cb-lost', {})).status, 200);
    assert.equal((await payment(service, tenant, 'cb-lost'))['status'], 'REFUNDED');
    const lines = (await ledger(service, tenant, 'cb-lost')).transfers.filter((transfer) => transfer.code === 'chargeback');
    assert.deepEqual(lines.map((transfer) => [transfer.kind, transfer.amount]), [['posted', '50.00']]);
    const listed = await call(service, 'GET', '/api/v1/payments/cb-lost/chargebacks', undefined, { token: tenant.keys['auditor']! });
    assert.deepEqual((listed.body['data'] as { status: string }[]).map((item) => item.status), ['lost']);
  });

  it('refuses chargebacks of unknown payments, unknown chargebacks, bad outcomes and the wrong role', async () => {
    assert.equal((await open('nope', '1.00')).status, 404);
    assert.equal(((await resolve('cbk_nope', 'won')).body['error'] as { code: string }).code, 'chargeback_not_found');
    const badOutcome = await resolve('cbk_nope', 'maybe');
    assert.equal(badOutcome.status, 400);
    const auditor = await call(service, 'POST', '/api/v1/payments/nope/chargebacks', { amount: '1.00', reason_code: 'x' }, { token: tenant.keys['auditor']! });
    assert.equal(auditor.status, 403);
  });
});
