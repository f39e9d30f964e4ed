// Faults on the payment path: a processor that does not answer, a crash between the
// first commit and the processor call, a crash between the processor's approval and our
// commit. Each ends in one consistent state that the requery job settles, the customer
// charged at most once and the ledger balanced.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, card, createTenant, paymentBody, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import { refund } from '../support/refunds.ts';
import { requeryPendingPayments } from '../../src/app/payments/requery-payments.ts';
import { createPayment, initiatePayment } from '../../src/app/payments/create-payment.ts';
import type { Changeset } from '../../src/app/ports/store.ts';
import { paymentIdempotencyKey } from '../../src/app/payments/ask-processor.ts';
import { SimulatorProcessor } from '../../src/adapters/processors/simulator/simulator-processor.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

describe('payment faults', () => {
  let service: TestService;
  let tenant: Tenant;
  const simulator = new SimulatorProcessor({});
  before(async () => {
    service = await startService({ processors: [simulator], environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '3' } });
    tenant = await createTenant(service);
  });
  after(async () => {
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });
  const principal = () => ({ kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'service' as const });
  const ledger = async (id: string) => (await call(service, 'GET', `/api/v1/payments/${id}/ledger`, undefined, { token: tenant.keys['operator']! })).body;

  it('leaves a payment pending when the processor does not answer, and the requery job settles it', async () => {
    const created = await call(service, 'POST', '/api/v1/payments', paymentBody('no-answer-1', { card: card('4000000000003220') }), { token: tenant.keys['service']! });
    assert.equal(created.status, 202, created.text);
    assert.equal(created.body['status'], 'PAYMENT-PENDING');
    const report = await requeryPendingPayments(service.runtime.deps);
    assert.ok(report.settled >= 1, JSON.stringify(report));
    const settled = await ledger('no-answer-1');
    assert.equal(settled['status'], 'PAYMENT-SUCCESS');
    assert.deepEqual((settled['entries'] as { status: string }[]).map((entry) => entry.status), ['PAYMENT-INITIATED', 'PAYMENT-PENDING', 'PAYMENT-SUCCESS']);
    assert.equal((settled['transfers'] as unknown[]).length, 1);
    const replay = await call(service, 'POST', '/api/v1/payments', paymentBody('no-answer-1', { card: card('4000000000003220') }), { token: tenant.keys['service']! });
    assert.equal(replay.text, created.text, 'a replay returns the first answer');
  });

  it('settles a payment whose process died after the first commit, before the processor was asked', async () => {
    const initiated = await initiatePayment(service.runtime.deps, principal(), {
      transactionId: 'crash-before-call', amount: '250.00', currency: 'NGN', processorId: 'simulator',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
    }, null);
    assert.ok(initiated.ok);
    assert.equal((await ledger('crash-before-call'))['status'], 'PAYMENT-PENDING');
    await requeryPendingPayments(service.runtime.deps);
    const settled = await ledger('crash-before-call');
    assert.equal(settled['status'], 'PAYMENT-SUCCESS');
    assert.equal((settled['transfers'] as unknown[]).length, 1);
  });

  it('charges once when the process died after the processor approved but before our commit', async () => {
    const initiated = await initiatePayment(service.runtime.deps, principal(), {
      transactionId: 'crash-after-approval', amount: '75.00', currency: 'NGN', processorId: 'simulator',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
    }, null);
    assert.ok(initiated.ok);
    const key = paymentIdempotencyKey(tenant.tenantId as TenantId, 'crash-after-approval');
    const approved = await simulator.authorize({ idempotencyKey: key, amountMinor: 7500n, currency: 'NGN', card: { number: '4242424242424242', expMonth: 12, expYear: 2040 } }, new AbortController().signal);
    assert.equal(approved.kind, 'reply');
    await requeryPendingPayments(service.runtime.deps);
    await requeryPendingPayments(service.runtime.deps);
    const settled = await ledger('crash-after-approval');
    assert.equal(settled['status'], 'PAYMENT-SUCCESS');
    assert.equal((settled['transfers'] as unknown[]).length, 1, 'exactly one capture in the journal');
  });

  it('answers the client\'s retry with the outcome once the requery job settled a payment whose request died after the approval', async () => {
    const dying = crashingOnce(service.runtime.deps.store, (changeset) => changeset.ledgerEntries?.some((entry) => entry.transactionId === 'crash-retry-1' && entry.status === 'PAYMENT-SUCCESS') ?? false,
      'simulated crash after the processor approved');
    await assert.rejects(createPayment({ ...service.runtime.deps, store: dying }, principal(), {
      transactionId: 'crash-retry-1', amount: '100.00', currency: 'NGN', processorId: 'simulator',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
    }, { key: 'crash-retry-key', requestHash: '' }), /simulated crash/);
    await requeryPendingPayments(service.runtime.deps);
    assert.equal((await ledger('crash-retry-1'))['status'], 'PAYMENT-SUCCESS');
    // Refunded in part since: the retry still learns what the payment request came to.
    const refunded = await refund(service, tenant, 'crash-retry-1', { amount: '10.00' });
    assert.equal(refunded.status, 200, refunded.text);
    const retry = await call(service, 'POST', '/api/v1/payments', paymentBody('crash-retry-1'), { token: tenant.keys['service']!, headers: { 'idempotency-key': 'crash-retry-key' } });
    assert.equal(retry.status, 201, retry.text);
    assert.equal(retry.body['status'], 'PAYMENT-SUCCESS', retry.text);
    assert.equal(retry.headers.get('idempotency-replayed'), 'true');
    const again = await call(service, 'POST', '/api/v1/payments', paymentBody('crash-retry-1'), { token: tenant.keys['service']! });
    assert.equal(again.text, retry.text, 'every later retry replays the same reply');
  });

  it('goes on requerying the other payments when settling one of them throws', async () => {
    for (const id of ['poison-a', 'poison-b']) {
      const created = await call(service, 'POST', '/api/v1/payments', paymentBody(id, { card: card('4000000000003220') }), { token: tenant.keys['service']! });
      assert.equal(created.status, 202, created.text);
    }
    // Whichever of the two the job reaches first cannot be committed (as a value the database refuses would).
    const failing = crashingOnce(service.runtime.deps.store, (changeset) => changeset.records?.some((record) => record.id.startsWith('poison-')) ?? false,
      'simulated store failure');
    const report = await requeryPendingPayments({ ...service.runtime.deps, store: failing });
    assert.equal(report.errors, 1, JSON.stringify(report));
    assert.match(report.errorReasons[0] ?? '', /^[^/]+\/poison-[ab]: Error: simulated store failure$/);
    const statuses = await Promise.all(['poison-a', 'poison-b'].map(async (id) => (await ledger(id))['status']));
    assert.deepEqual([...statuses].sort(), ['PAYMENT-PENDING', 'PAYMENT-SUCCESS'], 'the payment after the failing one was settled');
    const next = await requeryPendingPayments(service.runtime.deps);
    assert.equal(next.errors, 0, JSON.stringify(next));
    for (const id of ['poison-a', 'poison-b']) assert.equal((await ledger(id))['status'], 'PAYMENT-SUCCESS');
  });

  it('keeps an approved payment pending, answers 202 and escalates it when the journal refuses its lines', async () => {
    // The store refuses the capture as it would for an account that may not go below zero.
    const refusing = new Proxy(service.runtime.deps.store, {
      get(target, property, receiver) {
        if (property === 'commit') {
          return async (changeset: Changeset) => changeset.ledgerEntries?.some((entry) => entry.transactionId === 'refused-1' && entry.status === 'PAYMENT-SUCCESS')
            ? { ok: false, conflict: { kind: 'balance_limit', accountId: 'sys:merchant:default:NGN' } }
            : target.commit(changeset);
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const created = await createPayment({ ...service.runtime.deps, store: refusing }, principal(), {
      transactionId: 'refused-1', amount: '40.00', currency: 'NGN', processorId: 'simulator',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
    }, null);
    assert.ok(created.ok, JSON.stringify(created));
    assert.equal(created.value.statusCode, 202, 'the card was charged: no refusal that reads as "not charged"');
    assert.equal((JSON.parse(created.value.bodyText) as { status: string }).status, 'PAYMENT-PENDING');
    const detail = (await call(service, 'GET', '/api/v1/payments/refused-1', undefined, { token: tenant.keys['operator']! })).body;
    assert.equal(detail['status'], 'PAYMENT-PENDING');
    const processor = detail['processor'] as { outcome: string; reference: string | null };
    assert.equal(processor.outcome, 'approved', 'the approval is kept');
    assert.notEqual(processor.reference, null);
    const report = await requeryPendingPayments({ ...service.runtime.deps, store: refusing });
    assert.deepEqual([report.refused, report.escalated], [1, 1], JSON.stringify(report));
    assert.equal((await requeryPendingPayments(service.runtime.deps)).examined, 0, 'an escalated payment waits for a person');
    const audit = await call(service, 'GET', '/api/v1/audit?action=payment.escalated', undefined, { token: tenant.keys['auditor']! });
    const escalated = (audit.body['data'] as { transaction_id: string; reason: string }[]).filter((record) => record.transaction_id === 'refused-1');
    assert.equal(escalated.length, 1, audit.text);
    assert.match(escalated[0]!.reason, /approved but the journal refused the lines/);
    const replay = await call(service, 'POST', '/api/v1/payments', paymentBody('refused-1', { amount: '40.00' }), { token: tenant.keys['service']! });
    assert.equal(replay.status, 202, replay.text);
    assert.equal(replay.text, created.value.bodyText);
  });

  it('escalates a payment that stays unknown after the requery limit', async () => {
    const silent = new SimulatorProcessor({ latencyMs: 60_000 });
    const slow = await startService({ processors: [silent], environment: { CONTRA_PROCESSOR_TIMEOUT_MS: '150', CONTRA_REQUERY_ATTEMPTS_MAX: '2' } });
    try {
      const slowTenant = await createTenant(slow);
      const created = await call(slow, 'POST', '/api/v1/payments', paymentBody('timeout-1'), { token: slowTenant.keys['service']! });
      assert.equal(created.status, 202, created.text);
      assert.equal(created.body['status'], 'PAYMENT-PENDING');
      const first = await requeryPendingPayments(slow.runtime.deps);
      const second = await requeryPendingPayments(slow.runtime.deps);
      assert.equal(first.stillPending + second.stillPending, 2);
      assert.equal(second.escalated, 1);
      const third = await requeryPendingPayments(slow.runtime.deps);
      assert.equal(third.examined, 0, 'an escalated payment waits for a person');
      const audit = await call(slow, 'GET', '/api/v1/audit?action=payment.escalated', undefined, { token: slowTenant.keys['auditor']! });
      assert.equal((audit.body['data'] as unknown[]).length, 1);
      await assertLedgerBalances(slow.runtime.deps.store);
    } finally {
      await slow.close();
    }
  });
});
