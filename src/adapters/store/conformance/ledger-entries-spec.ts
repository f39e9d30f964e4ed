// Conformance: the PaymentLedger, one appended entry per status change of a transaction,
// each at a position that can be taken only once.
import assert from 'node:assert/strict';
import type { LedgerEntryWrite, Store } from '../../../app/ports/store.ts';
import { baseAt, commitOk, commitRefused, posted, spec, suite, transferId, type StoreFactory } from './harness.ts';
import { openJournal } from './fixtures.ts';

function entry(transactionId: string, sequence: number, status: string, transferIds: string[] = []): LedgerEntryWrite {
  return { transactionId, sequence, status, at: baseAt + sequence, transferIds: transferIds.map(transferId), details: { step: sequence, note: status.toLowerCase() } };
}

async function appendsInOrder(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const third = entry('txn-1', 3, 'PAYMENT-SUCCESS', ['t-1', 't-2']);
  await commitOk(store, {
    tenantId,
    ledgerEntries: [third, entry('txn-2', 1, 'PAYMENT-INITIATED')],
    transfers: [posted('t-1', 'clearing', 'merchant', 10n), posted('t-2', 'merchant', 'fees', 1n)],
  });
  await commitOk(store, { tenantId, ledgerEntries: [entry('txn-1', 1, 'PAYMENT-INITIATED'), entry('txn-1', 2, 'PAYMENT-PENDING')] });
  const entries = await store.listLedgerEntries(tenantId, 'txn-1');
  assert.deepEqual(entries.map((found) => found.sequence), [1, 2, 3], 'in sequence order, whatever the order of commits');
  assert.deepEqual(entries[2], { ...third, tenantId });
  assert.deepEqual((await store.listLedgerEntries(tenantId, 'txn-2')).map((found) => found.status), ['PAYMENT-INITIATED']);
  assert.deepEqual(await store.listLedgerEntries(tenantId, 'txn-9'), []);
}

async function refusesTakenPosition(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await commitOk(store, { tenantId, ledgerEntries: [entry('txn-1', 1, 'PAYMENT-INITIATED')] });
  await commitRefused(store, {
    tenantId,
    records: [{ kind: 'payment', id: 'txn-1', body: {}, expectedVersion: 0 }],
    transfers: [posted('t-1', 'clearing', 'merchant', 10n)],
    ledgerEntries: [entry('txn-1', 2, 'PAYMENT-PENDING'), entry('txn-1', 1, 'PAYMENT-FAILED')],
  }, { kind: 'ledger_entry_exists', transactionId: 'txn-1', sequence: 1 });
  await commitRefused(store, { tenantId, ledgerEntries: [entry('txn-1', 2, 'PAYMENT-PENDING'), entry('txn-1', 2, 'PAYMENT-FAILED')] },
    { kind: 'ledger_entry_exists', transactionId: 'txn-1', sequence: 2 });
  assert.deepEqual((await store.listLedgerEntries(tenantId, 'txn-1')).map((found) => found.status), ['PAYMENT-INITIATED']);
  assert.equal(await store.getTransfer(tenantId, transferId('t-1')), null);
  assert.equal(await store.getRecord(tenantId, 'payment', 'txn-1'), null);
}

export function ledgerEntriesSpec(makeStore: StoreFactory): void {
  suite('payment ledger entries', () => {
    spec('appends entries and lists them in sequence order', makeStore, appendsInOrder);
    spec('refuses a taken position, with the whole changeset', makeStore, refusesTakenPosition);
  });
}
