// Conformance: accounts and posted transfers. Balances move by exactly the transfer in
// bigint; a changeset's transfers, records, ledger entries and audit commit all or nothing.
import assert from 'node:assert/strict';
import type { Store } from '../../../app/ports/store.ts';
import { amountMinorMax } from '../../../domain/money/money.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import {
  account, accountId, auditAppend, balances, balancesOf, baseAt, commitOk, commitRefused, newTenant, posted, spec, suite, transferId,
  type ConformanceStore, type StoreFactory,
} from './harness.ts';
import { fundCustomer, openJournal, stateOf } from './fixtures.ts';

async function createsAccounts(store: Store): Promise<void> {
  const tenantId = newTenant();
  const definition = account(tenantId, 'customer-1', 'customer');
  await commitOk(store, { tenantId, accounts: [definition, account(tenantId, 'clearing', 'processor_clearing', { currency: 'JPY' })] });
  const found = await store.getAccounts(tenantId, [accountId('customer-1'), accountId('clearing'), accountId('nobody')]);
  assert.deepEqual([...found.keys()].sort(), ['clearing', 'customer-1']);
  assert.deepEqual(found.get(accountId('customer-1')), {
    ...definition, normalSide: 'credit', createdAt: baseAt, debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n,
  });
  assert.equal(found.get(accountId('clearing'))?.normalSide, 'debit');
  assert.equal(found.get(accountId('clearing'))?.currency, 'JPY');
  assert.equal((await store.getAccounts(tenantId, [])).size, 0);
  await commitRefused(store, { tenantId, accounts: [account(tenantId, 'fresh', 'merchant'), account(tenantId, 'customer-1', 'merchant')] },
    { kind: 'account_exists', accountId: accountId('customer-1') });
  assert.equal((await store.getAccounts(tenantId, [accountId('fresh')])).size, 0, 'a refused changeset creates no account');
}

async function movesExactAmounts(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const amount = amountMinorMax - 1n;
  const large = (first: number) => Array.from({ length: 5 }, (_, index) => posted(`t-${first + index}`, 'clearing', 'merchant', amount));
  await commitOk(store, { tenantId, transfers: large(1) });
  await commitOk(store, { tenantId, transfers: [...large(6), posted('t-11', 'clearing', 'merchant', 1n), posted('t-12', 'merchant', 'fees', 7n)] });
  const total = amount * 10n + 1n;
  assert.notEqual(BigInt(Number(total)), total, 'the sum is one a number cannot hold exactly');
  assert.deepEqual(await balancesOf(store, tenantId, 'clearing'), balances(total, 0n));
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(7n, total));
  assert.deepEqual(await balancesOf(store, tenantId, 'fees'), balances(0n, 7n));
  const stored = await store.getTransfer(tenantId, transferId('t-3'));
  assert.ok(stored !== null);
  assert.equal(stored.amountMinor, amount);
  assert.equal(typeof stored.sequence, 'bigint');
  const merchantAsOf = await store.getBalancesAsOf(tenantId, accountId('merchant'), stored.committedAt + 1_000_000);
  assert.deepEqual(merchantAsOf, balances(7n, total), 'the balance history is exact too');
  assert.deepEqual((await store.journalTotals(tenantId)).get('NGN')?.debits.debitsPosted, total + 7n);
}

async function refusesMissingAccounts(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'nobody', 'merchant', 5n)] }, { kind: 'account_missing', accountId: accountId('nobody') });
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'clearing', 'nobody', 5n)] }, { kind: 'account_missing', accountId: accountId('nobody') });
  assert.equal(await store.getTransfer(tenantId, transferId('t-1')), null);
}

async function refusesCurrencyMismatch(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'usd-clearing', 'merchant', 5n)] },
    { kind: 'currency_mismatch', accountId: accountId('usd-clearing') });
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'clearing', 'usd-merchant', 5n)] },
    { kind: 'currency_mismatch', accountId: accountId('usd-merchant') });
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'clearing', 'merchant', 5n, { currency: 'USD' })] },
    { kind: 'currency_mismatch', accountId: accountId('clearing') });
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'usd-clearing', 'usd-merchant', 5n, { currency: 'USD' })] });
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 0n));
}

async function refusesTakenTransferIds(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'clearing', 'merchant', 5n)] });
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'clearing', 'merchant', 5n)] }, { kind: 'transfer_exists', transferId: transferId('t-1') });
  await commitRefused(store, { tenantId, transfers: [posted('t-2', 'clearing', 'merchant', 5n), posted('t-2', 'clearing', 'fees', 5n)] },
    { kind: 'transfer_exists', transferId: transferId('t-2') });
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 5n));
  assert.equal(await store.getTransfer(tenantId, transferId('t-2')), null);
}

async function commitsAllOrNothing(store: ConformanceStore): Promise<void> {
  const tenantId = await openJournal(store);
  await fundCustomer(store, tenantId, 100n);
  const probe = { records: [['payment', 'p-1']] as const, transfers: ['t-1', 't-2'], transactions: ['txn-1'] };
  const before = await stateOf(store, tenantId, probe);
  await commitRefused(store, {
    tenantId,
    records: [{ kind: 'payment', id: 'p-1', body: { status: 'PAYMENT-SUCCESS' }, expectedVersion: 0 }],
    transfers: [posted('t-1', 'clearing', 'merchant', 40n, { transactionId: 'txn-1' }), posted('t-2', 'customer', 'merchant', 101n, { transactionId: 'txn-1' })],
    ledgerEntries: [{ transactionId: 'txn-1', sequence: 1, status: 'PAYMENT-SUCCESS', at: baseAt, transferIds: [transferId('t-1')], details: {} }],
    audit: [auditAppend('a-1', 'txn:txn-1', { transactionId: 'txn-1' })],
    outbox: [{ id: 'o-1', topic: 'payment.succeeded', at: baseAt, payload: { id: 'p-1' } }],
  }, { kind: 'balance_limit', accountId: accountId('customer') });
  assert.equal(await store.getTransfer(tenantId, transferId('t-1')), null, 'the first transfer of the set is not applied');
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 0n));
  assert.equal(await store.getRecord(tenantId, 'payment', 'p-1'), null);
  assert.deepEqual(await store.listLedgerEntries(tenantId, 'txn-1'), []);
  assert.deepEqual(await store.auditHeads(tenantId), []);
  assert.equal(await stateOf(store, tenantId, probe), before);
}

function stripStoreFields(transfer: Transfer): object {
  const { tenantId: _tenantId, sequence: _sequence, committedAt: _committedAt, ...written } = transfer;
  return written;
}

async function readsTransfers(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const first = posted('t-1', 'clearing', 'merchant', 100n, { transactionId: 'txn-1', description: 'card payment' });
  const committedAt = await commitOk(store, { tenantId, transfers: [first, posted('t-2', 'merchant', 'fees', 3n, { transactionId: 'txn-1' })] });
  await commitOk(store, { tenantId, transfers: [posted('t-3', 'clearing', 'merchant', 50n)] });
  await commitOk(store, { tenantId, transfers: [posted('t-4', 'merchant', 'fees', 1n, { transactionId: 'txn-2', correctsTransferId: 't-2' })] });
  const stored = await store.getTransfer(tenantId, transferId('t-1'));
  assert.ok(stored !== null);
  assert.deepEqual(stripStoreFields(stored), first);
  assert.equal(stored.tenantId, tenantId);
  assert.equal(stored.committedAt, committedAt);
  assert.equal((await store.getTransfer(tenantId, transferId('t-4')))?.correctsTransferId, 't-2');
  assert.equal(await store.getTransfer(tenantId, transferId('t-9')), null);
  const firstPage = await store.listAccountTransfers(tenantId, accountId('merchant'), { limit: 3 });
  assert.deepEqual(firstPage.items.map((transfer) => transfer.id), ['t-1', 't-2', 't-3'], 'oldest first');
  assert.ok(firstPage.nextCursor !== null);
  const secondPage = await store.listAccountTransfers(tenantId, accountId('merchant'), { limit: 3, cursor: firstPage.nextCursor });
  assert.deepEqual(secondPage, { items: [await store.getTransfer(tenantId, transferId('t-4'))], nextCursor: null });
  const sequences = firstPage.items.map((transfer) => transfer.sequence);
  assert.ok(sequences.every((sequence, index) => index === 0 || sequence > (sequences[index - 1] ?? 0n)), 'sequences increase');
  assert.deepEqual((await store.listTransactionTransfers(tenantId, 'txn-1')).map((transfer) => transfer.id), ['t-1', 't-2']);
  assert.deepEqual(await store.listTransactionTransfers(tenantId, 'txn-9'), []);
  assert.deepEqual(await store.listAccountTransfers(tenantId, accountId('customer'), { limit: 3 }), { items: [], nextCursor: null });
}

/** Many commits at once (batched together or not, as the store does): paging skips and repeats nothing. */
async function pagesAccountTransfersAcrossCommits(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const ids = Array.from({ length: 30 }, (_, index) => `m-${index}`);
  await Promise.all(ids.map((id, index) => commitOk(store, { tenantId, transfers: [index % 2 === 0 ? posted(id, 'clearing', 'merchant', 5n) : posted(id, 'merchant', 'fees', 1n)] })));
  const listed: Transfer[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await store.listAccountTransfers(tenantId, accountId('merchant'), cursor === undefined || cursor === null ? { limit: 4 } : { limit: 4, cursor });
    listed.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.deepEqual(listed.map((transfer) => transfer.id).sort(), [...ids].sort(), 'every transfer once');
  const sequences = listed.map((transfer) => transfer.sequence);
  assert.ok(sequences.every((sequence, index) => index === 0 || sequence > (sequences[index - 1] ?? 0n)), 'in sequence order');
}

export function journalSpec(makeStore: StoreFactory): void {
  suite('accounts and posted transfers', () => {
    spec('creates accounts with zero balances and refuses an id that exists', makeStore, createsAccounts);
    spec('moves balances by exactly the amount, in bigint, beyond 2^53', makeStore, movesExactAmounts);
    spec('refuses a transfer that names a missing account', makeStore, refusesMissingAccounts);
    spec('refuses a transfer in a currency an account does not hold', makeStore, refusesCurrencyMismatch);
    spec('refuses a transfer id that is taken, also within one changeset', makeStore, refusesTakenTransferIds);
    spec('commits a linked set with its records, entries, audit and outbox all or nothing', makeStore, commitsAllOrNothing);
    spec('reads transfers by id, by account oldest first in pages, and by transaction', makeStore, readsTransfers);
    spec('pages through an account\'s transfers of many concurrent commits, skipping and repeating none', makeStore, pagesAccountTransfersAcrossCommits);
  });
}
