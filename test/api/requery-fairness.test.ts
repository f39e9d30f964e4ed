// Fairness of the requery jobs (R5, P2, V3, V2): pending items stay on their list between
// tries, so when the jobs run further apart than the requery delay the first hundred in the
// store's order are due again on every run. Each run must take the items that have waited
// longest, in every tenant, so every pending item is asked about again, not only the first
// hundred of the first tenant until they escalate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, paymentBody, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { paid, refund } from '../support/refunds.ts';
import { fundedCustomer, toBank } from '../support/transfers.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { SimulatorProcessor } from '../../src/adapters/processors/simulator/simulator-processor.ts';
import type { AuthorizeRequest, CardRefundRequest, ProcessorReply, QueryRequest } from '../../src/app/ports/card-processor.ts';
import type { StoredRecord } from '../../src/app/ports/store.ts';
import { recordsUnder } from '../../src/app/shared/visit-indexed.ts';
import { requeryPendingRefunds } from '../../src/app/refunds/requery-refunds.ts';
import { refundFromRecord, refundIdFor, refundKind, refundWrite, pendingRefundIndexKey } from '../../src/app/refunds/refund-record.ts';
import { requeryPendingPayments } from '../../src/app/payments/requery-payments.ts';
import { paymentFromRecord, paymentKind, pendingIndexKey } from '../../src/app/payments/payment-record.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import { pendingTransferIndexKey, transferFromRecord, transferKind } from '../../src/app/transfers/transfer-record.ts';
import { detectFailures } from '../../src/app/reversals/detect-failures.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const secondMs = 1000;
const requeryDelayMs = 30 * secondMs;

/** The simulator, answering nothing at all while `silent`: every item it is asked about stays pending. */
class SilentSimulator extends SimulatorProcessor {
  silent = false;
  override authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.silent ? Promise.resolve({ kind: 'no_answer', reason: 'network' }) : super.authorize(request, signal);
  }
  override query(request: QueryRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.silent ? Promise.resolve({ kind: 'no_answer', reason: 'network' }) : super.query(request, signal);
  }
  override refund(request: CardRefundRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.silent ? Promise.resolve({ kind: 'no_answer', reason: 'network' }) : super.refund(request, signal);
  }
}

/** The system clock moved on by `offsetMs`: a test lets the requery delay pass between runs without waiting. */
function movableClock(): { offsetMs: number; now(): number } {
  return { offsetMs: 0, now(): number { return Date.now() + this.offsetMs; } };
}

/**
 * A service on a movable clock whose card processor can fall silent, started before the
 * describe's tests and, after them, checked to balance and closed; `started` receives it.
 */
function silentCardService(started: (service: TestService) => void): { clock: ReturnType<typeof movableClock>; simulator: SilentSimulator } {
  const clock = movableClock();
  const simulator = new SilentSimulator({});
  let service: TestService | undefined;
  before(async () => {
    service = await startService({ clock, processors: [simulator], environment: { CONTRA_REQUERY_DELAY_MS: String(requeryDelayMs) } });
    started(service);
  });
  after(async () => {
    if (service === undefined) return;
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });
  return { clock, simulator };
}

/** Runs `create` for 0..count-1, a few at a time (the order of creation is kept per group). */
async function createMany(count: number, create: (index: number) => Promise<void>): Promise<void> {
  const atOnce = 10;
  for (let start = 0; start < count; start += atOnce) {
    await Promise.all(Array.from({ length: Math.min(atOnce, count - start) }, (_, offset) => create(start + offset)));
  }
}

/** Per record id on a tenant's pending list, how many status queries it has had. */
async function attemptsOf(service: TestService, tenant: Tenant, kind: string, indexKey: string, attempts: (record: StoredRecord) => number): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const record of recordsUnder(service.runtime.deps.store, tenant.tenantId as TenantId, kind, indexKey)) found.set(record.id, attempts(record));
  return found;
}

function neverAsked(attempts: Map<string, number>): string[] {
  return [...attempts].filter(([, count]) => count === 0).map(([id]) => id);
}

const paymentAttempts = (service: TestService, tenant: Tenant) =>
  attemptsOf(service, tenant, paymentKind, pendingIndexKey, (record) => paymentFromRecord(record).requeryAttempts);

describe('requery fairness: refunds (R5)', () => {
  let service: TestService;
  const { clock, simulator } = silentCardService((started) => { service = started; });
  const tenants: Tenant[] = [];
  const refundAttempts = (tenant: Tenant) => attemptsOf(service, tenant, refundKind, pendingRefundIndexKey, (record) => refundFromRecord(record).requeryAttempts);
  before(async () => {
    tenants.push(await createTenant(service, 'First tenant'), await createTenant(service, 'Second tenant'));
  });

  it('asks about all 150 pending refunds of two tenants in two runs of 100, the longest-waiting first', async () => {
    const [first, second] = tenants as [Tenant, Tenant];
    for (const [tenant, count] of [[first, 100], [second, 50]] as const) {
      await createMany(count, (index) => paid(service, tenant, `fair-${index}`));
    }
    simulator.silent = true;
    // The first tenant's refunds are asked for first: they have waited longest.
    for (const [tenant, count] of [[first, 100], [second, 50]] as const) {
      await createMany(count, async (index) => {
        const asked = await refund(service, tenant, `fair-${index}`, { amount: '10.00' });
        assert.equal(asked.status, 202, asked.text);
      });
    }
    // The jobs run every minute, the delay is 30 seconds: every refund asked about is due again at the next run.
    clock.offsetMs += requeryDelayMs + secondMs;
    const firstRun = await requeryPendingRefunds(service.runtime.deps);
    assert.equal(firstRun.examined, 100, JSON.stringify(firstRun));
    assert.deepEqual(neverAsked(await refundAttempts(first)), [], 'the first run takes the 100 that waited longest');
    assert.equal(neverAsked(await refundAttempts(second)).length, 50);

    clock.offsetMs += requeryDelayMs + secondMs;
    const secondRun = await requeryPendingRefunds(service.runtime.deps);
    assert.equal(secondRun.examined, 100, JSON.stringify(secondRun));
    assert.deepEqual(neverAsked(await refundAttempts(second)), [], 'the second tenant is reached on the second run');
    const firstTenant = [...(await refundAttempts(first)).values()];
    assert.deepEqual([firstTenant.filter((count) => count === 1).length, firstTenant.filter((count) => count === 2).length], [50, 50]);
    simulator.silent = false;
  });
});

describe('requery fairness: escalated refunds (R5)', () => {
  let service: TestService;
  const { clock, simulator } = silentCardService((started) => { service = started; });

  it('counts every escalated refund on the list, also those after a full batch', async () => {
    const tenant = await createTenant(service);
    const ids = ['due-0', 'due-1', 'given-up-0', 'given-up-1', 'given-up-2'];
    for (const id of ids) await paid(service, tenant, id);
    simulator.silent = true;
    for (const id of ids) assert.equal((await refund(service, tenant, id, { amount: '10.00' })).status, 202);
    // The last three have used up their attempts: a person has them now.
    const { store, settings } = service.runtime.deps;
    for (const id of ids.filter((name) => name.startsWith('given-up'))) {
      const record = await store.getRecord(tenant.tenantId as TenantId, refundKind, refundIdFor(id, 1));
      assert.ok(record !== null);
      const refundNow = refundFromRecord(record);
      const escalated = { ...refundNow, version: refundNow.version + 1, requeryAttempts: settings.requeryAttemptsMax };
      assert.ok((await store.commit({ tenantId: tenant.tenantId as TenantId, at: clock.now(), records: [refundWrite(escalated, refundNow.version)] })).ok);
    }
    clock.offsetMs += requeryDelayMs + secondMs;
    const run = await requeryPendingRefunds(service.runtime.deps, { limit: 2 });
    assert.deepEqual([run.examined, run.escalated], [2, 3], JSON.stringify(run));
    simulator.silent = false;
  });
});

describe('requery fairness: payments (P2)', () => {
  let service: TestService;
  const { clock, simulator } = silentCardService((started) => { service = started; });
  const tenants: Tenant[] = [];
  before(async () => {
    tenants.push(await createTenant(service, 'First tenant'), await createTenant(service, 'Second tenant'));
  });

  it('asks about every pending payment of both tenants in two runs, the longest-waiting first', async () => {
    const [first, second] = tenants as [Tenant, Tenant];
    simulator.silent = true;
    for (const [tenant, count] of [[first, 10], [second, 5]] as const) {
      await createMany(count, async (index) => {
        const created = await call(service, 'POST', '/api/v1/payments', paymentBody(`fair-${index}`), { token: tenant.keys['service']! });
        assert.equal(created.status, 202, created.text);
      });
    }
    clock.offsetMs += requeryDelayMs + secondMs;
    const firstRun = await requeryPendingPayments(service.runtime.deps, { limit: 10 });
    assert.equal(firstRun.examined, 10, JSON.stringify(firstRun));
    assert.deepEqual(neverAsked(await paymentAttempts(service, first)), [], 'the first run takes the 10 that waited longest');

    clock.offsetMs += requeryDelayMs + secondMs;
    const secondRun = await requeryPendingPayments(service.runtime.deps, { limit: 10 });
    assert.equal(secondRun.examined, 10, JSON.stringify(secondRun));
    assert.deepEqual(neverAsked(await paymentAttempts(service, second)), [], 'the second tenant is reached on the second run');
    simulator.silent = false;
  });
});

describe('requery fairness: the longest-waiting first, whatever the tenant order (P2)', () => {
  let service: TestService;
  const { clock, simulator } = silentCardService((started) => { service = started; });

  it('asks about the tenant listed last first when its payments have waited longer', async () => {
    const tenants = [await createTenant(service, 'One tenant'), await createTenant(service, 'Another tenant')];
    // Tenants are walked in id order: the one listed first gets the younger payments.
    const [listedFirst, listedLast] = tenants.sort((left, right) => (left.tenantId < right.tenantId ? -1 : 1)) as [Tenant, Tenant];
    simulator.silent = true;
    for (const tenant of [listedLast, listedFirst]) {
      await createMany(5, async (index) => {
        const created = await call(service, 'POST', '/api/v1/payments', paymentBody(`order-${index}`), { token: tenant.keys['service']! });
        assert.equal(created.status, 202, created.text);
      });
      clock.offsetMs += secondMs;
    }
    clock.offsetMs += requeryDelayMs;
    const run = await requeryPendingPayments(service.runtime.deps, { limit: 5 });
    assert.equal(run.examined, 5, JSON.stringify(run));
    assert.deepEqual(neverAsked(await paymentAttempts(service, listedLast)), [], 'the payments that waited longest were asked about');
    assert.equal(neverAsked(await paymentAttempts(service, listedFirst)).length, 5);
    simulator.silent = false;
  });
});

/** Two new tenants with `counts` transfers each left pending: the switch answers 97, then nothing to status queries. */
async function pendingTransfers(service: TestService, rail: ControlledSwitch, counts: readonly [number, number]): Promise<[Tenant, Tenant]> {
  const tenants = [await createTenant(service, 'First tenant'), await createTenant(service, 'Second tenant')] as [Tenant, Tenant];
  for (const tenant of tenants) await fundedCustomer(service, tenant, 'alice');
  rail.silentQueries = true;
  for (const [position, tenant] of tenants.entries()) {
    await createMany(counts[position] ?? 0, async (index) => {
      const sent = await toBank(service, tenant, `fair-${index}`, 'alice', '0123456097', '10.00');
      assert.equal(sent.status, 202, sent.text);
    });
  }
  return tenants;
}

const transferAttempts = (service: TestService, tenant: Tenant) =>
  attemptsOf(service, tenant, transferKind, pendingTransferIndexKey, (record) => transferFromRecord(record).queryAttempts);

describe('requery fairness: transfers (V3)', () => {
  let service: TestService;
  const clock = movableClock();
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ clock, interbank: rail, environment: { CONTRA_REQUERY_DELAY_MS: String(requeryDelayMs) } });
  });
  after(async () => {
    rail.silentQueries = false;
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });

  it('queries every pending transfer of both tenants in two runs, the longest past its backoff first', async () => {
    const [first, second] = await pendingTransfers(service, rail, [10, 5]);
    // Past the first backoff (the delay); after one query the next backoff is twice the delay.
    clock.offsetMs += requeryDelayMs + secondMs;
    const firstRun = await requeryPendingTransfers(service.runtime.deps, { limit: 10 });
    assert.equal(firstRun.examined, 10, JSON.stringify(firstRun));
    assert.deepEqual(neverAsked(await transferAttempts(service, first)), [], 'the first run takes the 10 that waited longest');

    clock.offsetMs += 2 * requeryDelayMs + secondMs;
    const secondRun = await requeryPendingTransfers(service.runtime.deps, { limit: 10 });
    assert.equal(secondRun.examined, 10, JSON.stringify(secondRun));
    assert.deepEqual(neverAsked(await transferAttempts(service, second)), [], 'the second tenant is reached on the second run');
  });
});

describe('requery fairness: the orphaned-debit sweep (V2)', () => {
  let service: TestService;
  const clock = movableClock();
  const rail = new ControlledSwitch();
  const orphanGraceMs = 60 * secondMs;
  before(async () => {
    service = await startService({
      clock, interbank: rail,
      environment: { CONTRA_REQUERY_DELAY_MS: String(requeryDelayMs), CONTRA_ORPHAN_GRACE_MS: String(orphanGraceMs) },
    });
  });
  after(async () => {
    rail.silentQueries = false;
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });

  it('queries all 150 orphaned debits of two tenants in two sweeps of 100, the longest left alone first', async () => {
    const [first, second] = await pendingTransfers(service, rail, [100, 50]);
    // The sweep queries a debit past its grace period whatever its backoff: every one is due on every sweep.
    clock.offsetMs += orphanGraceMs + secondMs;
    const firstRun = await detectFailures(service.runtime.deps);
    assert.equal(firstRun.examined, 100, JSON.stringify(firstRun));
    assert.deepEqual(neverAsked(await transferAttempts(service, first)), [], 'the first sweep takes the 100 left alone longest');

    clock.offsetMs += orphanGraceMs + secondMs;
    const secondRun = await detectFailures(service.runtime.deps);
    assert.equal(secondRun.examined, 100, JSON.stringify(secondRun));
    assert.deepEqual(neverAsked(await transferAttempts(service, second)), [], 'the second tenant is reached on the second sweep');
  });
});
