// Refunds under concurrency and faults (R5, R6): a hundred refunds of one payment at once
// never refund more than was captured; concurrent replays of one key make one refund; a
// processor that hangs leaves the refund pending; a crash between the processor's
// approval and our commit, followed by a retry or by the requery job, pays the customer
// exactly once. The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ledger, paid, payment, refund } from '../support/refunds.ts';
import { SimulatorProcessor } from '../../src/adapters/processors/simulator/simulator-processor.ts';
import type { CardRefundRequest, ProcessorReply } from '../../src/app/ports/card-processor.ts';
import type { Changeset, Store } from '../../src/app/ports/store.ts';
import { requestRefund } from '../../src/app/refunds/request-refund.ts';
import { requeryPendingRefunds } from '../../src/app/refunds/requery-refunds.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

/** The simulator, with a log of refund calls and a switch that makes refunds hang until aborted. */
class ObservedSimulator extends SimulatorProcessor {
  readonly refundCalls: { key: string; reference: string | null }[] = [];
  hangRefunds = false;
  override async refund(request: CardRefundRequest, signal: AbortSignal): Promise<ProcessorReply> {
    if (this.hangRefunds) {
      return new Promise((resolve) => { signal.addEventListener('abort', () => { resolve({ kind: 'no_answer', reason: 'timeout' }); }); });
    }
    const reply = await super.refund(request, signal);
    const reference = reply.kind === 'reply' && typeof reply.raw['ssl_txn_id'] === 'string' ? reply.raw['ssl_txn_id'] : null;
    this.refundCalls.push({ key: request.idempotencyKey, reference });
    return reply;
  }
}

/** A store that dies once, at the commit that would record a refund's success. */
function crashingAtRefundSuccess(store: Store): Store {
  let armed = true;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commit') {
        return async (changeset: Changeset) => {
          const success = changeset.records?.some((record) => record.kind === 'refund' && record.body['status'] === 'REFUND-SUCCESS') ?? false;
          if (armed && success) {
            armed = false;
            throw new Error('simulated crash between the processor approval and the commit');
          }
          return target.commit(changeset);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('refund concurrency and faults', () => {
  let service: TestService;
  let tenant: Tenant;
  const simulator = new ObservedSimulator({});
  before(async () => {
    service = await startService({ processors: [simulator], environment: { CONTRA_PROCESSOR_TIMEOUT_MS: '300' } });
    tenant = await createTenant(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());
  const principal = () => ({ kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'service' as const });
  const refundTransfers = async (id: string) => (await ledger(service, tenant, id)).transfers.filter((transfer) => transfer.code === 'refund');

  it('never refunds more than was captured when 100 refunds arrive at once (R6)', async () => {
    await paid(service, tenant, 'hot-refund', { amount: '100.00' });
    const answers = await Promise.all(Array.from({ length: 100 }, (_, index) =>
      refund(service, tenant, 'hot-refund', { amount: '3.00' }, `hot-${index}`)));
    const byStatus = new Map<number, number>();
    for (const answer of answers) byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    assert.deepEqual([...byStatus.entries()].sort(), [[200, 33], [422, 67]], JSON.stringify([...byStatus]));
    for (const answer of answers.filter((item) => item.status === 422)) assert.equal((answer.body['error'] as { code: string }).code, 'refund_exceeds_remaining');
    const after = await payment(service, tenant, 'hot-refund');
    assert.deepEqual([after['refunded'], after['refundable'], after['refunds_pending']], ['99.00', '1.00', '0.00']);
    const posted = (await refundTransfers('hot-refund')).filter((transfer) => transfer.kind === 'post_pending');
    assert.equal(posted.length, 33);
    assert.equal(posted.reduce((sum, transfer) => sum + Number(transfer.amount), 0), 99);
  });

  it('makes exactly one full refund when 20 ask for "all that remains" at once', async () => {
    await paid(service, tenant, 'all-at-once');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => refund(service, tenant, 'all-at-once', {}, `all-${index}`)));
    assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
    assert.ok(answers.filter((answer) => answer.status !== 200).every((answer) => (answer.body['error'] as { code: string }).code === 'already_refunded'));
    assert.equal((await payment(service, tenant, 'all-at-once'))['refunded'], '100.00');
  });

  it('gives ten concurrent requests under one Idempotency-Key one refund and one answer', async () => {
    await paid(service, tenant, 'same-key');
    const answers = await Promise.all(Array.from({ length: 10 }, () => refund(service, tenant, 'same-key', { amount: '10.00' }, 'one-key')));
    const texts = new Set(answers.map((answer) => answer.text));
    assert.equal(texts.size, 1, [...texts].join('\n'));
    assert.ok(answers.every((answer) => answer.status === 200));
    assert.equal(answers.filter((answer) => answer.headers.get('idempotency-replayed') === null).length, 1, 'one first answer, the rest replays');
    assert.equal((await payment(service, tenant, 'same-key'))['refunded'], '10.00');
  });

  it('leaves the refund pending when the processor hangs past the timeout, and the requery settles it', async () => {
    await paid(service, tenant, 'hung');
    simulator.hangRefunds = true;
    let first;
    try {
      first = await refund(service, tenant, 'hung', { amount: '25.00' }, 'hung-key');
    } finally {
      simulator.hangRefunds = false;
    }
    assert.equal(first.status, 202, first.text);
    assert.equal((await payment(service, tenant, 'hung'))['refunds_pending'], '25.00');
    await requeryPendingRefunds(service.runtime.deps);
    const after = await payment(service, tenant, 'hung');
    assert.deepEqual([after['refunded'], after['refunds_pending']], ['25.00', '0.00']);
  });

  it('records once in the audit trail that a refund without a definite answer was escalated to a person (R5)', async () => {
    await paid(service, tenant, 'unanswered');
    simulator.hangRefunds = true;
    try {
      assert.equal((await refund(service, tenant, 'unanswered', { amount: '5.00' })).status, 202);
      const attempts = service.runtime.deps.settings.requeryAttemptsMax;
      for (let run = 0; run < attempts + 2; run++) await requeryPendingRefunds(service.runtime.deps);
    } finally {
      simulator.hangRefunds = false;
    }
    assert.equal((await payment(service, tenant, 'unanswered'))['refunds_pending'], '5.00', 'still pending, its money held');
    const trail = await call(service, 'GET', '/api/v1/audit?transaction_id=unanswered&action=refund.escalated', undefined, { token: tenant.keys['auditor']! });
    assert.equal((trail.body['data'] as unknown[]).length, 1, trail.text);
  });

  it('goes on requerying the other refunds when settling one of them throws', async () => {
    for (const id of ['rpoison-a', 'rpoison-b']) {
      await paid(service, tenant, id);
      simulator.hangRefunds = true;
      try {
        const answer = await refund(service, tenant, id, { amount: '10.00' }, `${id}-key`);
        assert.equal(answer.status, 202, answer.text);
      } finally {
        simulator.hangRefunds = false;
      }
    }
    // Whichever of the two the job reaches first cannot be committed (as a value the database refuses would).
    const failing = crashingOnce(service.runtime.deps.store,
      (changeset) => changeset.records?.some((record) => record.kind === 'refund' && record.id.startsWith('rpoison-')) ?? false, 'simulated store failure');
    const report = await requeryPendingRefunds({ ...service.runtime.deps, store: failing });
    assert.equal(report.errors, 1, JSON.stringify(report));
    assert.match(report.errorReasons[0] ?? '', /^[^/]+\/rpoison-[ab]-REFUND: Error: simulated store failure$/);
    const pending = await Promise.all(['rpoison-a', 'rpoison-b'].map(async (id) => (await payment(service, tenant, id))['refunds_pending']));
    assert.deepEqual([...pending].sort(), ['0.00', '10.00'], 'the refund after the failing one was settled');
    const next = await requeryPendingRefunds(service.runtime.deps);
    assert.equal(next.errors, 0, JSON.stringify(next));
    for (const id of ['rpoison-a', 'rpoison-b']) assert.equal((await payment(service, tenant, id))['refunds_pending'], '0.00');
  });

  it('pays once when the process dies after the processor approved, and the client retries (R5, R6)', async () => {
    await paid(service, tenant, 'crash-retry');
    const crashed = requestRefund({ ...service.runtime.deps, store: crashingAtRefundSuccess(service.runtime.deps.store) }, principal(),
      { transactionId: 'crash-retry', amount: '40.00', reason: 'customer asked' }, { key: 'crash-key', requestHash: '' });
    await assert.rejects(crashed, /simulated crash/);
    assert.equal((await payment(service, tenant, 'crash-retry'))['refunds_pending'], '40.00', 'held, not yet refunded');
    const retried = await refund(service, tenant, 'crash-retry', { amount: '40.00' }, 'crash-key');
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.body['refund_transaction_id'], 'crash-retry-REFUND');
    const calls = simulator.refundCalls.filter((item) => item.key.endsWith(':refund:crash-retry-REFUND'));
    assert.equal(calls.length, 2, 'asked twice');
    assert.equal(new Set(calls.map((item) => item.reference)).size, 1, 'under one key, so the processor made one refund');
    const after = await payment(service, tenant, 'crash-retry');
    assert.deepEqual([after['refunded'], after['refunds_pending'], after['refund_ids']], ['40.00', '0.00', ['crash-retry-REFUND']]);
    assert.deepEqual((await refundTransfers('crash-retry')).map((transfer) => transfer.kind), ['pending', 'post_pending']);
  });

  it('pays once when the process dies after approval and the requery job finds it first', async () => {
    await paid(service, tenant, 'crash-requery');
    const crashed = requestRefund({ ...service.runtime.deps, store: crashingAtRefundSuccess(service.runtime.deps.store) }, principal(),
      { transactionId: 'crash-requery', amount: '15.00', reason: 'customer asked' }, { key: 'crash-requery-key', requestHash: '' });
    await assert.rejects(crashed, /simulated crash/);
    const report = await requeryPendingRefunds(service.runtime.deps);
    assert.ok(report.settled >= 1, JSON.stringify(report));
    const retried = await refund(service, tenant, 'crash-requery', { amount: '15.00' }, 'crash-requery-key');
    assert.equal(retried.status, 200, retried.text);
    assert.equal((await payment(service, tenant, 'crash-requery'))['refunded'], '15.00');
    assert.deepEqual((await refundTransfers('crash-requery')).map((transfer) => transfer.kind), ['pending', 'post_pending']);
    const read = await call(service, 'GET', '/api/v1/refunds/crash-requery-REFUND', undefined, { token: tenant.keys['operator']! });
    assert.equal(read.body['status'], 'success');
  });
});
