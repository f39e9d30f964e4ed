// The Converge processor end to end (P3): the service configured with CONTRA_CONVERGE_*
// pointed at a local stand-in that serves the fixtures in test/fixtures/converge (written
// from Converge's documented reply shape, not captured from a real account). A payment
// and a refund go through, a decline fails the payment, an unknown answer is settled by
// txnquery, and a sale that never answers stays pending without being sent twice. The
// ledger balances after every test; no card number, CVV or PIN reaches a log or the store.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, card, paymentBody, type Tenant, createTenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { startConvergeServer, type ConvergeAnswer, type ConvergeServer } from '../support/converge-server.ts';
import { refund } from '../support/refunds.ts';
import { requeryPendingPayments } from '../../src/app/payments/requery-payments.ts';
import { requestRefund } from '../../src/app/refunds/request-refund.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

const pin = 'PIN7F3A9C1E5B2D8F4A6C0E';
const cardNumber = '4242424242424242';
const cvc = '737';
const approvedSaleId = '301126A15-9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D';

describe('payments and refunds through the Converge processor', () => {
  let converge: ConvergeServer;
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    converge = await startConvergeServer();
    service = await startService({
      environment: {
        CONTRA_CONVERGE_URL: converge.url, CONTRA_CONVERGE_MERCHANT_ID: '0012345',
        CONTRA_CONVERGE_USER_ID: 'apiuser000001', CONTRA_CONVERGE_PIN: pin,
      },
    });
    tenant = await createTenant(service);
  });
  beforeEach(() => {
    converge.requests.length = 0;
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => {
    await service.close();
    await converge.close();
  });

  /** Answers by transaction type: each test says which fixture each type gets. */
  const answerBy = (answers: Partial<Record<string, ConvergeAnswer>>): void => {
    converge.answer = (fields) => answers[fields['ssl_transaction_type'] ?? ''] ?? { fixture: 'empty.xml', status: 500 };
  };
  const pay = (transactionId: string) => call(service, 'POST', '/api/v1/payments', paymentBody(transactionId, {
    processor_id: 'converge', card: { ...card(cardNumber), cvc },
  }), { token: tenant.keys['service']! });
  const ledger = async (transactionId: string) => (await call(service, 'GET', `/api/v1/payments/${transactionId}/ledger`, undefined, { token: tenant.keys['operator']! })).body;

  it('takes a payment and refunds part of it, sending Converge a ccsale and a ccreturn of its transaction id', async () => {
    answerBy({ ccsale: { fixture: 'sale-approved.xml' }, ccreturn: { fixture: 'return-approved.xml' } });
    const created = await pay('cv-pay-1');
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body['status'], 'PAYMENT-SUCCESS', created.text);
    const refunded = await refund(service, tenant, 'cv-pay-1', { amount: '40.00' });
    assert.equal(refunded.status, 200, refunded.text);
    assert.equal(refunded.body['status'], 'success', refunded.text);
    const [sale, ret] = converge.requests.map((request) => request.fields);
    assert.deepEqual([sale?.['ssl_transaction_type'], sale?.['ssl_amount'], sale?.['ssl_transaction_currency'], sale?.['ssl_card_number'], sale?.['ssl_pin']],
      ['ccsale', '100.00', 'NGN', cardNumber, pin]);
    assert.deepEqual([ret?.['ssl_transaction_type'], ret?.['ssl_txn_id'], ret?.['ssl_amount']], ['ccreturn', approvedSaleId, '40.00']);
    const history = await ledger('cv-pay-1');
    assert.deepEqual((history['entries'] as { status: string }[]).map((entry) => entry.status), ['PAYMENT-INITIATED', 'PAYMENT-PENDING', 'PAYMENT-SUCCESS', 'PARTIALLY-REFUNDED']);
  });

  it('fails a payment Converge declines, moving no money', async () => {
    answerBy({ ccsale: { fixture: 'sale-declined.xml' } });
    const created = await pay('cv-declined');
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body['status'], 'PAYMENT-FAILED', created.text);
    assert.deepEqual((await ledger('cv-declined'))['transfers'], []);
  });

  it('keeps an answer it does not know pending and settles it from txnquery: PEN, then STL', async () => {
    answerBy({ ccsale: { fixture: 'sale-unknown-message.xml' }, txnquery: { fixture: 'txnquery-PEN.xml' } });
    const created = await pay('cv-unknown');
    assert.equal(created.status, 202, created.text);
    assert.equal(created.body['status'], 'PAYMENT-PENDING', created.text);
    await requeryPendingPayments(service.runtime.deps);
    assert.equal((await ledger('cv-unknown'))['status'], 'PAYMENT-PENDING');
    answerBy({ txnquery: { fixture: 'txnquery-STL.xml' } });
    await requeryPendingPayments(service.runtime.deps);
    assert.equal((await ledger('cv-unknown'))['status'], 'PAYMENT-SUCCESS');
    const queries = converge.requests.filter((request) => request.fields['ssl_transaction_type'] === 'txnquery');
    // The first query names the sale's own transaction id (the fixtures' txnquery replies carry a fixed one).
    assert.equal(queries.length, 2);
    assert.equal(queries[0]?.fields['ssl_txn_id'], '301126A15-5F6A7B8C-9D0E-4F1A-9B2C-5D6E7F8091A2');
  });

  it('leaves a sale that never answered pending, and never sends it a second time', async () => {
    answerBy({ ccsale: 'never' });
    const created = await pay('cv-silent');
    assert.equal(created.status, 202, created.text);
    assert.equal(created.body['status'], 'PAYMENT-PENDING', created.text);
    await requeryPendingPayments(service.runtime.deps);
    assert.equal((await ledger('cv-silent'))['status'], 'PAYMENT-PENDING');
    assert.deepEqual(converge.requests.map((request) => request.fields['ssl_transaction_type']), ['ccsale']);
  });

  it('never sends a refund twice when its first request died after Converge approved it: the retry asks for its status instead', async () => {
    answerBy({ ccsale: { fixture: 'sale-approved.xml' }, ccreturn: { fixture: 'return-approved.xml' } });
    assert.equal((await pay('cv-crash')).status, 201);
    const principal = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'service' as const };
    const dying = crashingOnce(service.runtime.deps.store, (changeset) => changeset.records?.some((record) => record.kind === 'refund' && record.body['status'] === 'REFUND-SUCCESS') ?? false,
      'simulated crash between Converge approving the return and the commit');
    await assert.rejects(requestRefund({ ...service.runtime.deps, store: dying }, principal, { transactionId: 'cv-crash', amount: '40.00', reason: 'customer asked' },
      { key: 'cv-crash-key', requestHash: '' }), /simulated crash/);
    const retried = await refund(service, tenant, 'cv-crash', { amount: '40.00' }, 'cv-crash-key');
    assert.equal(retried.body['refund_transaction_id'], 'cv-crash-REFUND', retried.text);
    assert.equal(retried.body['status'], 'pending', retried.text);
    assert.deepEqual(converge.requests.map((request) => request.fields['ssl_transaction_type']), ['ccsale', 'ccreturn'], 'one return, never a second');
  });

  it('never writes the card number, CVV or PIN to a log or the store', async () => {
    const logs = service.logs.join('');
    const stored = await service.storedText();
    for (const secret of [cardNumber, pin]) {
      assert.ok(!logs.includes(secret), 'a secret reached the logs');
      assert.ok(!stored.includes(secret), 'a secret reached the store');
    }
    assert.ok(!logs.includes(`"${cvc}"`) && !logs.includes(`>${cvc}<`), 'the CVV reached the logs');
  });

  it('never settles a partial approval as the whole payment, even when txnquery later says it settled', async () => {
    answerBy({ ccsale: { fixture: 'sale-partial-approval.xml' }, txnquery: { fixture: 'txnquery-STL-partial.xml' } });
    const created = await pay('cv-partial');
    assert.equal(created.status, 202, created.text);
    await requeryPendingPayments(service.runtime.deps);
    await requeryPendingPayments(service.runtime.deps);
    const history = await ledger('cv-partial');
    assert.notEqual(history['status'], 'PAYMENT-SUCCESS');
    assert.ok(!(history['entries'] as { status: string }[]).some((entry) => entry.status === 'PAYMENT-SUCCESS'), JSON.stringify(history['entries']));
    assert.deepEqual(history['transfers'], [], 'no money moved for an amount that is not ours');
    assert.equal(converge.requests.filter((request) => request.fields['ssl_transaction_type'] === 'txnquery').length, 2, 'asked each time, never guessed');
  });

  it('keeps a payment pending when txnquery itself is refused (our credentials): the query failing says nothing about the sale', async () => {
    answerBy({ ccsale: { fixture: 'sale-partial-approval.xml' } });
    const created = await pay('cv-query-refused');
    assert.equal(created.status, 202, created.text);
    // The API user is locked or its PIN rotated while the payment waits: txnquery answers error 4025.
    answerBy({ txnquery: { fixture: 'error-invalid-credentials.xml' } });
    await requeryPendingPayments(service.runtime.deps);
    const history = await ledger('cv-query-refused');
    assert.equal(history['status'], 'PAYMENT-PENDING', 'the card was charged 60.00; a failed status query must not fail the payment');
    assert.deepEqual((history['entries'] as { status: string }[]).map((entry) => entry.status), ['PAYMENT-INITIATED', 'PAYMENT-PENDING']);
    assert.equal(converge.requests.filter((request) => request.fields['ssl_transaction_type'] === 'ccsale').length, 1, 'the sale is never sent again');
  });
});
