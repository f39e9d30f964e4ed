// Conformance: time and totals. committedAt only grows; balances can be read as of any
// time (null before an account's first transfer); per currency, debits equal credits.
import assert from 'node:assert/strict';
import type { Store } from '../../../app/ports/store.ts';
import { accountId, balances, commitOk, hold, newTenant, postHold, posted, spec, suite, transferId, type StoreFactory } from './harness.ts';
import { openJournal } from './fixtures.ts';

async function increasesCommittedAt(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const times: number[] = [];
  for (let index = 1; index <= 5; index++) {
    times.push(await commitOk(store, { tenantId, transfers: [posted(`t-${index}`, 'clearing', 'merchant', 1n)] }));
  }
  assert.ok(times.every((time, index) => index === 0 || time > (times[index - 1] ?? 0)), `committedAt strictly increases: ${times.join(', ')}`);
  for (let index = 1; index <= 5; index++) {
    assert.equal((await store.getTransfer(tenantId, transferId(`t-${index}`)))?.committedAt, times[index - 1]);
  }
}

async function answersBalancesAsOf(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const merchant = accountId('merchant');
  const first = await commitOk(store, { tenantId, transfers: [posted('t-1', 'clearing', 'merchant', 100n)] });
  const second = await commitOk(store, { tenantId, transfers: [posted('t-2', 'merchant', 'fees', 30n), hold('h-1', 'clearing', 'merchant', 7n)] });
  const third = await commitOk(store, { tenantId, transfers: [posted('t-3', 'clearing', 'fees', 1n)] });
  assert.equal(await store.getBalancesAsOf(tenantId, merchant, first - 1), null, 'nothing before the first transfer');
  assert.deepEqual(await store.getBalancesAsOf(tenantId, merchant, first), balances(0n, 100n));
  assert.deepEqual(await store.getBalancesAsOf(tenantId, merchant, second - 1), balances(0n, 100n));
  assert.deepEqual(await store.getBalancesAsOf(tenantId, merchant, second), balances(30n, 100n, 0n, 7n), 'after every transfer of the commit');
  assert.deepEqual(await store.getBalancesAsOf(tenantId, merchant, third + 1_000_000), balances(30n, 100n, 0n, 7n), 'untouched by later transfers of other accounts');
  assert.deepEqual(await store.getBalancesAsOf(tenantId, accountId('fees'), third), balances(0n, 31n));
  assert.deepEqual(await store.getBalancesAsOf(tenantId, accountId('fees'), third - 1), balances(0n, 30n));
  assert.equal(await store.getBalancesAsOf(tenantId, accountId('customer'), third), null, 'an account without transfers');
  assert.equal(await store.getBalancesAsOf(tenantId, accountId('nobody'), third), null);
}

async function totalsPerCurrency(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 400n);
  await commitOk(store, {
    tenantId,
    transfers: [
      posted('t-1', 'clearing', 'merchant', 1_000n), posted('t-2', 'merchant', 'fees', 15n), pending,
      posted('t-3', 'usd-clearing', 'usd-merchant', 250n, { currency: 'USD' }),
    ],
  });
  const totals = await store.journalTotals(tenantId);
  assert.deepEqual([...totals.keys()].sort(), ['NGN', 'USD']);
  assert.deepEqual(totals.get('NGN'), { debits: balances(1_015n, 0n, 400n, 0n), credits: balances(0n, 1_015n, 0n, 400n) });
  assert.deepEqual(totals.get('USD'), { debits: balances(250n, 0n), credits: balances(0n, 250n) });
  await commitOk(store, { tenantId, transfers: [postHold('c-1', pending, 300n)] });
  assert.deepEqual((await store.journalTotals(tenantId)).get('NGN'), { debits: balances(1_315n, 0n), credits: balances(0n, 1_315n) });
  assert.equal((await store.journalTotals(newTenant())).size, 0);
}

export function historySpec(makeStore: StoreFactory): void {
  suite('time and totals', () => {
    spec('stamps commits with a strictly increasing committedAt', makeStore, increasesCommittedAt);
    spec('answers balances as of a time: null before the first transfer, then after each commit', makeStore, answersBalancesAsOf);
    spec('totals debits and credits per currency, posted and pending', makeStore, totalsPerCurrency);
  });
}
