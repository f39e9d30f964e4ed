// Payments through the real HTTP server (P1–P5): every simulator card, the lifecycle in
// the PaymentLedger, fees and taxes in the journal, replays, refusals, and the card
// number that must never reach the store, a log or a response.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, card, createTenant, paymentBody, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import type { TenantId } from '../../src/domain/ids.ts';
import { isSealedEnvelope, type SealedEnvelope } from '../../src/domain/crypto/envelope.ts';

describe('payments', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
  });
  after(async () => {
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });

  const pay = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(service, 'POST', '/api/v1/payments', body, { token: tenant.keys['service']!, headers });

  const cases: { card: string; status: number; paymentStatus: string }[] = [
    { card: '4242424242424242', status: 201, paymentStatus: 'PAYMENT-SUCCESS' },
    { card: '4000000000000002', status: 201, paymentStatus: 'PAYMENT-FAILED' },
    { card: '4000000000009995', status: 201, paymentStatus: 'PAYMENT-FAILED' },
    { card: '4000000000000119', status: 201, paymentStatus: 'PAYMENT-FAILED' },
    { card: '4000000000003220', status: 202, paymentStatus: 'PAYMENT-PENDING' },
    { card: '4000000000005126', status: 201, paymentStatus: 'PAYMENT-SUCCESS' },
    { card: '4000000000007726', status: 201, paymentStatus: 'PAYMENT-SUCCESS' },
    { card: '4000000000000259', status: 201, paymentStatus: 'PAYMENT-SUCCESS' },
  ];
  for (const [index, { card: number, status, paymentStatus }] of cases.entries()) {
    it(`answers ${paymentStatus} for the simulator card ending ${number.slice(-4)}`, async () => {
      const response = await pay(paymentBody(`card-case-${index}`, { card: card(number) }));
      assert.equal(response.status, status, response.text);
      assert.equal(response.body['status'], paymentStatus);
      assert.equal(response.body['transaction_id'], `card-case-${index}`);
      assert.deepEqual(response.body['card'], { brand: 'visa', last4: number.slice(-4) });
      assert.equal(typeof response.body['processor_message'], 'string');
      assert.ok(!response.text.includes(number), 'the response must not carry the card number');
    });
  }

  it('appends INITIATED, PENDING and SUCCESS to the PaymentLedger and journals fees and taxes', async () => {
    const created = await pay(paymentBody('fees-1', { amount: '1000.00', fees: [{ type: 'fee', amount: '15.00' }, { type: 'tax', amount: '1.13' }] }));
    assert.equal(created.status, 201, created.text);
    const ledger = await call(service, 'GET', '/api/v1/payments/fees-1/ledger', undefined, { token: tenant.keys['operator']! });
    assert.equal(ledger.status, 200, ledger.text);
    const entries = ledger.body['entries'] as { status: string; sequence: number }[];
    assert.deepEqual(entries.map((entry) => entry.status), ['PAYMENT-INITIATED', 'PAYMENT-PENDING', 'PAYMENT-SUCCESS']);
    const transfers = ledger.body['transfers'] as { code: string; amount: string; debit_account_id: string; credit_account_id: string }[];
    assert.deepEqual(transfers.map((transfer) => [transfer.code, transfer.amount]), [['payment', '1000.00'], ['fee', '15.00'], ['tax', '1.13']]);
    assert.equal(transfers[1]!.credit_account_id, 'sys:fee_revenue:NGN');
    assert.equal(transfers[2]!.credit_account_id, 'sys:tax_payable:NGN');
    const merchant = await call(service, 'GET', '/api/v1/accounts/sys:merchant:default:NGN', undefined, { token: tenant.keys['operator']! });
    assert.equal(merchant.status, 200, merchant.text);
    const detail = await call(service, 'GET', '/api/v1/payments/fees-1', undefined, { token: tenant.keys['auditor']! });
    assert.equal(detail.body['captured'], '1000.00');
    assert.equal(detail.body['fees'], '15.00');
    assert.equal(detail.body['taxes'], '1.13');
    assert.equal(detail.body['refundable'], '1000.00');
    assert.ok(!('secure_token' in detail.body));
  });

  it('records a failed payment without any journal transfer', async () => {
    await pay(paymentBody('declined-1', { card: card('4000000000000002') }));
    const ledger = await call(service, 'GET', '/api/v1/payments/declined-1/ledger', undefined, { token: tenant.keys['operator']! });
    assert.deepEqual((ledger.body['entries'] as { status: string }[]).map((entry) => entry.status), ['PAYMENT-INITIATED', 'PAYMENT-PENDING', 'PAYMENT-FAILED']);
    assert.deepEqual(ledger.body['transfers'], []);
  });

  it('replays the first answer byte for byte for the same transaction_id and body', async () => {
    const first = await pay(paymentBody('replay-1'));
    const second = await pay(paymentBody('replay-1'));
    assert.equal(second.status, first.status);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotency-replayed'), 'true');
    assert.equal(first.headers.get('idempotency-replayed'), null);
  });

  it('replays under the same Idempotency-Key and refuses the key with another body', async () => {
    const first = await pay(paymentBody('key-1'), { 'idempotency-key': 'k-1' });
    const again = await pay(paymentBody('key-1'), { 'idempotency-key': 'k-1' });
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    const other = await pay(paymentBody('key-2'), { 'idempotency-key': 'k-1' });
    assert.equal(other.status, 409);
    assert.deepEqual(other.body['error'], { code: 'idempotency_key_reused', detail: 'this Idempotency-Key was used for another request' });
  });

  it('gives one Idempotency-Key sent with two different payments at once to exactly one of them', async () => {
    const [first, second] = await Promise.all([
      pay(paymentBody('race-a'), { 'idempotency-key': 'race-key' }),
      pay(paymentBody('race-b'), { 'idempotency-key': 'race-key' }),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [201, 409], `${first.text}\n${second.text}`);
    const loser = first.status === 409 ? first : second;
    assert.equal((loser.body['error'] as { code: string }).code, 'idempotency_key_reused');
  });

  it('refuses, never replays, the same transaction_id with another card number sharing the last four digits and expiry', async () => {
    const first = await pay(paymentBody('card-swap-1', { card: card('4242424242424242') }), { 'idempotency-key': 'swap-key-1' });
    assert.equal(first.status, 201, first.text);
    const keyed = await pay(paymentBody('card-swap-1', { card: card('4000000000024242') }), { 'idempotency-key': 'swap-key-1' });
    assert.equal(keyed.status, 409, keyed.text);
    assert.equal((keyed.body['error'] as { code: string }).code, 'idempotency_key_reused');
    const unkeyed = await pay(paymentBody('card-swap-1', { card: card('4000000000024242') }));
    assert.equal(unkeyed.status, 409, unkeyed.text);
    assert.equal((unkeyed.body['error'] as { code: string }).code, 'duplicate_transaction_id');
    const same = await pay(paymentBody('card-swap-1', { card: card('4242424242424242') }), { 'idempotency-key': 'swap-key-1' });
    assert.equal(same.text, first.text, 'the same card still replays');
  });

  it('refuses a different payment under an existing transaction_id', async () => {
    await pay(paymentBody('dup-1'));
    const response = await pay(paymentBody('dup-1', { amount: '200.00' }));
    assert.equal(response.status, 409);
    assert.equal((response.body['error'] as { code: string }).code, 'duplicate_transaction_id');
  });

  it('creates one payment when the same request arrives 20 times at once', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => pay(paymentBody('burst-1'))));
    const created = responses.filter((response) => response.status === 201 && response.headers.get('idempotency-replayed') === null);
    assert.equal(created.length, 1, responses.map((response) => `${response.status} ${response.text}`).join('\n'));
    for (const response of responses) assert.ok(response.status === 201 || response.status === 409, response.text);
    const ledger = await call(service, 'GET', '/api/v1/payments/burst-1/ledger', undefined, { token: tenant.keys['operator']! });
    assert.equal((ledger.body['transfers'] as unknown[]).length, 1);
  });

  it('takes 60 different payments at once into one merchant account and credits each exactly once', async () => {
    await call(service, 'POST', '/api/v1/accounts', { account_id: 'hot-shop', type: 'merchant', currency: 'NGN' }, { token: tenant.keys['operator']! });
    const responses = await Promise.all(Array.from({ length: 60 }, (_, index) =>
      pay(paymentBody(`hot-${index}`, { amount: `${index + 1}.00`, merchant_account_id: 'hot-shop', fees: [{ type: 'fee', amount: '0.10' }] }))));
    for (const response of responses) assert.equal(response.status, 201, response.text);
    const merchant = await call(service, 'GET', '/api/v1/accounts/hot-shop', undefined, { token: tenant.keys['operator']! });
    const expectedMinor = Array.from({ length: 60 }, (_, index) => (index + 1) * 100 - 10).reduce((total, value) => total + value, 0);
    assert.equal((merchant.body['balances'] as Record<string, string>)['posted'], (expectedMinor / 100).toFixed(2));
    await assertLedgerBalances(service.runtime.deps.store);
  });

  it('keeps the processor\'s raw reply, sealed so that only the key vault opens it', async () => {
    await pay(paymentBody('raw-reply-1'));
    const record = await service.runtime.deps.store.getRecord(tenant.tenantId as TenantId, 'payment', 'raw-reply-1');
    const processor = record!.body['processor'] as { raw_reply: SealedEnvelope };
    assert.ok(isSealedEnvelope(processor.raw_reply));
    assert.ok(!JSON.stringify(record!.body).includes('APPROVAL'), 'the raw reply is not stored in clear');
    const opened = await service.runtime.deps.vault.open(processor.raw_reply, { tenant_id: tenant.tenantId, transaction_id: 'raw-reply-1', purpose: 'processor_reply' });
    assert.match(new TextDecoder().decode(opened), /ssl_result/);
  });

  it('never echoes a card number sent where it does not belong in the 400 that refuses it', async () => {
    const number = '4000000000000259';
    const bodies = [
      paymentBody('echo-1', { card: { ...card('4242424242424242'), [number]: 1 } }),
      { ...paymentBody('echo-2'), [`${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8, 12)} ${number.slice(12)}`]: true },
      paymentBody('echo-3', { currency: number }),
      paymentBody('echo-4', { card: { ...card('4242424242424242'), brand: number } }),
    ];
    for (const body of bodies) {
      const response = await pay(body);
      assert.equal(response.status, 400, response.text);
      assert.ok(!response.text.replaceAll(' ', '').includes(number), `the 400 echoes the card number: ${response.text}`);
      assert.ok(typeof (response.body['error'] as { field?: unknown }).field === 'string', response.text);
    }
    assert.ok(!service.logs.join('').includes(number), 'the card number reached a log line');
  });

  it('never stores or logs the card number', async () => {
    const number = '4000000000000259';
    await pay(paymentBody('secret-card-1', { card: card(number) }));
    const stored = await service.storedText();
    assert.ok(stored.includes('secret-card-1'), 'the stored text is readable (the probe works)');
    assert.ok(!stored.includes(number), `the card number is in the ${service.storeKind} store`);
    assert.ok(!stored.includes('4000 0000 0000 0259'));
    assert.ok(service.logs.length > 0, 'the service logged nothing at debug level');
    assert.ok(!service.logs.join('').includes(number), 'the card number reached a log line');
    assert.ok(!service.logs.join('').includes(tenant.keys['service']!.split('.')[3]!), 'an API key secret reached a log line');
  });
});
