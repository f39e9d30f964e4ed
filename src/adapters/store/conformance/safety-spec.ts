// Conformance: what must never happen. A refused changeset leaves no trace, a changeset
// over a size limit or of a broken shape is rejected as a bug, and migrating is idempotent.
import assert from 'node:assert/strict';
import {
  changesetAuditMax, changesetOutboxMax, changesetRecordsMax, changesetTransfersMax, type Changeset, type Conflict,
} from '../../../app/ports/store.ts';
import type { TenantId } from '../../../domain/ids.ts';
import type { TransferWrite } from '../../../domain/journal/transfers.ts';
import {
  accountId, auditAppend, balances, balancesOf, baseAt, commitOk, hold, postHold, posted, spec, suite, transferId,
  type ConformanceStore, type StoreFactory,
} from './harness.ts';
import { fundCustomer, openJournal, stateOf, type StateProbe } from './fixtures.ts';

const probe: StateProbe = {
  records: [['payment', 'p-1'], ['payment', 'p-2']],
  transfers: ['h-1', 'c-1', 'c-2', 't-1', 't-2', 't-3'],
  transactions: ['txn-1', 'txn-2'],
};

/** Everything a changeset can carry, so a refusal has every kind of write to undo. */
function busyChangeset(tenantId: TenantId, transfers: readonly TransferWrite[], extra: Partial<Changeset> = {}): Changeset {
  return {
    tenantId,
    at: baseAt + 100,
    records: [{ kind: 'payment', id: 'p-2', body: { fresh: true }, expectedVersion: 0 }, { kind: 'payment', id: 'p-1', body: { step: 2 }, expectedVersion: 1 }],
    accounts: [{ id: accountId('late'), tenantId, type: 'merchant', currency: 'NGN', name: 'late', allowNegative: true }],
    transfers,
    ledgerEntries: [{ transactionId: 'txn-2', sequence: 1, status: 'PAYMENT-INITIATED', at: baseAt, transferIds: [], details: {} }],
    audit: [auditAppend('a-9', 'txn:txn-1'), auditAppend('a-10', 'txn:txn-2')],
    outbox: [{ id: 'o-9', topic: 'payment.succeeded', at: baseAt, payload: { id: 'p-2' } }],
    ...extra,
  };
}

async function leavesNoTrace(store: ConformanceStore): Promise<void> {
  const tenantId = await openJournal(store);
  await fundCustomer(store, tenantId, 100n);
  const pending = hold('h-1', 'clearing', 'merchant', 50n);
  await commitOk(store, {
    tenantId,
    records: [{ kind: 'payment', id: 'p-1', body: { step: 1 }, expectedVersion: 0 }],
    transfers: [pending, postHold('c-1', pending, 20n)],
    ledgerEntries: [{ transactionId: 'txn-1', sequence: 1, status: 'PAYMENT-INITIATED', at: baseAt, transferIds: [], details: {} }],
    audit: [auditAppend('a-1', 'txn:txn-1')],
  });
  const ok = posted('t-1', 'clearing', 'merchant', 5n, { transactionId: 'txn-2' });
  const refusals: [Changeset, Conflict['kind']][] = [
    [busyChangeset(tenantId, [ok], { records: [{ kind: 'payment', id: 'p-2', body: {}, expectedVersion: 0 }, { kind: 'payment', id: 'p-1', body: {}, expectedVersion: 7 }] }), 'version'],
    [busyChangeset(tenantId, [ok], { accounts: [{ id: accountId('merchant'), tenantId, type: 'merchant', currency: 'NGN', name: 'again', allowNegative: true }] }), 'account_exists'],
    [busyChangeset(tenantId, [ok, posted('t-2', 'customer', 'merchant', 101n)]), 'balance_limit'],
    [busyChangeset(tenantId, [ok, postHold('c-2', pending)]), 'pending_resolved'],
    [busyChangeset(tenantId, [ok, posted('t-3', 'clearing', 'usd-merchant', 1n)]), 'currency_mismatch'],
    [busyChangeset(tenantId, [ok], { ledgerEntries: [{ transactionId: 'txn-1', sequence: 1, status: 'X', at: baseAt, transferIds: [], details: {} }] }), 'ledger_entry_exists'],
  ];
  const before = await stateOf(store, tenantId, probe);
  for (const [changeset, kind] of refusals) {
    const result = await store.commit(changeset);
    assert.equal(result.ok ? 'committed' : result.conflict.kind, kind);
    assert.equal(await stateOf(store, tenantId, probe), before, `a changeset refused with ${kind} left the state as it was`);
  }
  await commitOk(store, busyChangeset(tenantId, [ok]));
  assert.notEqual(await stateOf(store, tenantId, probe), before, 'the snapshot does see a committed changeset');
}

function manyTransfers(count: number): TransferWrite[] {
  return Array.from({ length: count }, (_, index) => posted(`bulk-${index}`, 'clearing', 'merchant', 1n));
}

async function rejectsOversizedChangesets(store: ConformanceStore): Promise<void> {
  const tenantId = await openJournal(store);
  const before = await stateOf(store, tenantId, probe);
  const oversized: Partial<Changeset>[] = [
    { transfers: manyTransfers(changesetTransfersMax + 1) },
    { records: Array.from({ length: changesetRecordsMax + 1 }, (_, index) => ({ kind: 'payment', id: `p-${index}`, body: {}, expectedVersion: 0 })) },
    { audit: Array.from({ length: changesetAuditMax + 1 }, (_, index) => auditAppend(`a-${index}`, 'tenant')) },
    { outbox: Array.from({ length: changesetOutboxMax + 1 }, (_, index) => ({ id: `o-${index}`, topic: 'x', at: baseAt, payload: {} })) },
  ];
  for (const parts of oversized) {
    await assert.rejects(store.commit({ tenantId, at: baseAt, ...parts }), `rejects ${Object.keys(parts).join()} over the limit`);
  }
  assert.equal(await stateOf(store, tenantId, probe), before);
  await commitOk(store, { tenantId, transfers: manyTransfers(changesetTransfersMax) });
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, BigInt(changesetTransfersMax)));
}

async function rejectsMalformedTransfers(store: ConformanceStore): Promise<void> {
  const tenantId = await openJournal(store);
  const before = await stateOf(store, tenantId, probe);
  const pending = hold('h-1', 'clearing', 'merchant', 50n);
  const malformed = [
    posted('t-1', 'merchant', 'merchant', 5n),
    posted('t-1', 'clearing', 'merchant', 0n),
    posted('t-1', 'clearing', 'merchant', -5n),
    { ...postHold('c-1', pending), amountMinor: 60n },
    { ...posted('t-1', 'clearing', 'merchant', 5n), pendingId: transferId('h-1') },
  ];
  for (const transfer of malformed) {
    await assert.rejects(store.commit({ tenantId, at: baseAt, transfers: [transfer] }));
  }
  assert.equal(await stateOf(store, tenantId, probe), before);
}

async function migratesAgain(store: ConformanceStore): Promise<void> {
  const tenantId = await openJournal(store);
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'clearing', 'merchant', 5n)] });
  const before = await stateOf(store, tenantId, probe);
  await store.migrate();
  await Promise.all([store.migrate(), store.migrate()]);
  assert.equal(await stateOf(store, tenantId, probe), before);
  await commitOk(store, { tenantId, transfers: [posted('t-2', 'clearing', 'merchant', 5n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 10n));
}

export function safetySpec(makeStore: StoreFactory): void {
  suite('safety', () => {
    spec('leaves the state exactly as it was after a refused changeset, whatever the conflict', makeStore, leavesNoTrace);
    spec('rejects a changeset over a size limit without writing anything', makeStore, rejectsOversizedChangesets);
    spec('rejects a transfer of a broken shape without writing anything', makeStore, rejectsMalformedTransfers);
    spec('migrates an existing store again without changing it', makeStore, migratesAgain);
  });
}
