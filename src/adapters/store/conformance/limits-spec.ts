// Conformance: balance limits. An account that forbids a negative balance refuses any
// transfer after which its outgoing side (posted plus pending) exceeds its posted incoming side.
import assert from 'node:assert/strict';
import type { Store } from '../../../app/ports/store.ts';
import {
  accountId, balances, balancesOf, commitOk, commitRefused, hold, postHold, posted, spec, suite, voidHold, type StoreFactory,
} from './harness.ts';
import { fundCustomer, openJournal } from './fixtures.ts';

const customerLimit = { kind: 'balance_limit', accountId: accountId('customer') } as const;

async function refusesOverdraft(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await commitRefused(store, { tenantId, transfers: [posted('t-0', 'customer', 'merchant', 1n)] }, customerLimit);
  await fundCustomer(store, tenantId, 100n);
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'customer', 'merchant', 101n)] }, customerLimit);
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'customer', 'merchant', 60n), posted('t-2', 'customer', 'merchant', 41n)] }, customerLimit);
  assert.deepEqual(await balancesOf(store, tenantId, 'customer'), balances(0n, 100n));
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'customer', 'merchant', 100n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'customer'), balances(100n, 100n));
}

async function countsHolds(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await fundCustomer(store, tenantId, 100n);
  const pending = hold('h-1', 'customer', 'merchant', 60n);
  await commitOk(store, { tenantId, transfers: [pending] });
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'customer', 'merchant', 50n)] }, customerLimit);
  await commitRefused(store, { tenantId, transfers: [hold('h-2', 'customer', 'merchant', 41n)] }, customerLimit);
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'customer', 'merchant', 40n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'customer'), balances(40n, 100n, 60n, 0n));
  await commitOk(store, { tenantId, transfers: [voidHold('v-1', pending)] });
  await commitOk(store, { tenantId, transfers: [posted('t-2', 'customer', 'merchant', 60n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'customer'), balances(100n, 100n));
}

async function releasesOnPartialPost(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await fundCustomer(store, tenantId, 100n);
  const pending = hold('h-1', 'customer', 'merchant', 100n);
  await commitOk(store, { tenantId, transfers: [pending] });
  await commitOk(store, { tenantId, transfers: [postHold('c-1', pending, 30n)] });
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'customer', 'merchant', 70n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'customer'), balances(100n, 100n));
}

async function allowsNegative(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'merchant', 'fees', 500n), hold('h-1', 'merchant', 'fees', 5n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(500n, 0n, 5n, 0n));
}

async function guardsDebitNormalAccounts(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const limit = { kind: 'balance_limit', accountId: accountId('strict-clearing') } as const;
  await commitRefused(store, { tenantId, transfers: [posted('t-1', 'merchant', 'strict-clearing', 1n)] }, limit);
  await commitOk(store, { tenantId, transfers: [posted('t-1', 'strict-clearing', 'merchant', 10n)] });
  await commitRefused(store, { tenantId, transfers: [hold('h-1', 'merchant', 'strict-clearing', 11n)] }, limit);
  await commitOk(store, { tenantId, transfers: [posted('t-2', 'merchant', 'strict-clearing', 10n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'strict-clearing'), balances(10n, 10n));
}

export function limitsSpec(makeStore: StoreFactory): void {
  suite('balance limits', () => {
    spec('refuses a debit that would take a no-negative account below zero', makeStore, refusesOverdraft);
    spec('counts pending holds against a no-negative account', makeStore, countsHolds);
    spec('releases the rest of a hold that is posted in part', makeStore, releasesOnPartialPost);
    spec('lets an account that allows a negative balance go below zero', makeStore, allowsNegative);
    spec('guards the credit side of a debit-normal account that forbids a negative balance', makeStore, guardsDebitNormalAccounts);
  });
}
