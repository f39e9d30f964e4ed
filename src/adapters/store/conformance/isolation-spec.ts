// Conformance: tenants. Every read is scoped to one tenant; another tenant sees nothing and
// may reuse the same ids without conflict.
import assert from 'node:assert/strict';
import type { Store } from '../../../app/ports/store.ts';
import type { AuditRecord } from '../../../domain/audit/audit-record.ts';
import type { TenantId } from '../../../domain/ids.ts';
import {
  accountId, auditAppend, balances, balancesOf, baseAt, commitOk, hold, newTenant, postHold, posted, spec, suite, transferId, type StoreFactory,
} from './harness.ts';
import { openJournal } from './fixtures.ts';

async function fillTenant(store: Store, tenantId: TenantId): Promise<number> {
  await openJournal(store, tenantId);
  const pending = hold('h-1', 'clearing', 'merchant', 50n, { transactionId: 'txn-1' });
  const committedAt = await commitOk(store, {
    tenantId,
    records: [{ kind: 'payment', id: 'txn-1', body: { tenant: tenantId }, expectedVersion: 0, indexKey: 'pending' }],
    transfers: [posted('t-1', 'clearing', 'merchant', 100n, { transactionId: 'txn-1' }), pending, postHold('c-1', pending)],
    ledgerEntries: [{ transactionId: 'txn-1', sequence: 1, status: 'PAYMENT-SUCCESS', at: baseAt, transferIds: [transferId('t-1')], details: {} }],
    audit: [auditAppend('a-1', 'txn:txn-1', { transactionId: 'txn-1' })],
  });
  await store.sealAuditCheckpoint(tenantId, baseAt);
  return committedAt;
}

async function assertSeesNothing(store: Store, tenantId: TenantId, committedAt: number): Promise<void> {
  assert.equal(await store.getRecord(tenantId, 'payment', 'txn-1'), null);
  assert.deepEqual(await store.listRecords(tenantId, 'payment', { limit: 10 }), { items: [], nextCursor: null });
  assert.deepEqual(await store.listRecords(tenantId, 'payment', { limit: 10, indexKey: 'pending' }), { items: [], nextCursor: null });
  assert.equal((await store.getAccounts(tenantId, [accountId('clearing'), accountId('merchant')])).size, 0);
  assert.equal(await store.getBalancesAsOf(tenantId, accountId('merchant'), committedAt + 1_000), null);
  assert.equal(await store.getTransfer(tenantId, transferId('t-1')), null);
  assert.equal(await store.getPendingResolution(tenantId, transferId('h-1')), null);
  assert.deepEqual(await store.listAccountTransfers(tenantId, accountId('merchant'), { limit: 10 }), { items: [], nextCursor: null });
  assert.deepEqual(await store.listTransactionTransfers(tenantId, 'txn-1'), []);
  assert.deepEqual(await store.listLedgerEntries(tenantId, 'txn-1'), []);
  assert.equal((await store.journalTotals(tenantId)).size, 0);
  assert.deepEqual(await store.listAudit(tenantId, {}, { limit: 10 }), { items: [], nextCursor: null });
  assert.deepEqual(await store.listAudit(tenantId, { transactionId: 'txn-1' }, { limit: 10 }), { items: [], nextCursor: null });
  const visited: AuditRecord[] = [];
  await store.scanAudit(tenantId, () => (record) => visited.push(record));
  assert.deepEqual(visited, []);
  assert.deepEqual(await store.auditHeads(tenantId), []);
  assert.equal(await store.latestAuditCheckpoint(tenantId), null);
}

async function isolatesTenants(store: Store): Promise<void> {
  const first = newTenant();
  const committedAt = await fillTenant(store, first);
  await assertSeesNothing(store, newTenant(), committedAt);
  const second = newTenant();
  await fillTenant(store, second);
  assert.deepEqual(await balancesOf(store, first, 'merchant'), balances(0n, 150n), 'the same ids in another tenant are other accounts');
  assert.deepEqual(await balancesOf(store, second, 'merchant'), balances(0n, 150n));
  assert.deepEqual((await store.getRecord(second, 'payment', 'txn-1'))?.body, { tenant: second });
  const tenants = await store.listTenantIds();
  assert.ok(tenants.includes(first) && tenants.includes(second), 'both tenants are listed');
  assert.equal(tenants.length, new Set(tenants).size, 'each tenant once');
}

export function isolationSpec(makeStore: StoreFactory): void {
  suite('tenants', () => {
    spec('shows a tenant nothing of another, and lets it reuse the same ids', makeStore, isolatesTenants);
  });
}
