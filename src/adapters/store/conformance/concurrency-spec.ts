// Conformance: concurrent commits. However an adapter batches them, each changeset gets
// its own result, and the checks hold as if the changesets had run one after another.
import assert from 'node:assert/strict';
import type { CommitResult, Store } from '../../../app/ports/store.ts';
import {
  accountId, balances, balancesOf, baseAt, commitOk, hold, postHold, posted, spec, suite, transferId, voidHold, type StoreFactory,
} from './harness.ts';
import { assertTotalsBalance, fundCustomer, openJournal } from './fixtures.ts';

/** 40 changesets race in pairs for 20 record ids; 10 more name a missing account. */
async function givesEachCommitItsResult(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const results = await Promise.all(Array.from({ length: 50 }, (_, index) => {
    const racing = index < 40;
    const recordId = racing ? `r-${index % 20}` : `r-lone-${index}`;
    return store.commit({
      tenantId,
      at: baseAt,
      records: [{ kind: 'payment', id: recordId, body: { writer: index }, expectedVersion: 0 }],
      transfers: [posted(`t-${index}`, 'clearing', racing ? 'merchant' : 'nobody', 1n)],
    });
  }));
  for (let pair = 0; pair < 20; pair++) {
    const contenders = [results[pair], results[pair + 20]];
    assert.equal(contenders.filter((result) => result?.ok === true).length, 1, `exactly one writer of r-${pair} wins`);
    const loser = contenders.find((result) => result?.ok === false);
    assert.deepEqual(loser, { ok: false, conflict: { kind: 'version', recordKind: 'payment', id: `r-${pair}` } });
    const winner = results[pair]?.ok === true ? pair : pair + 20;
    assert.deepEqual((await store.getRecord(tenantId, 'payment', `r-${pair}`))?.body, { writer: winner });
    assert.equal(await store.getTransfer(tenantId, transferId(`t-${winner === pair ? pair + 20 : pair}`)), null, 'the loser moved no money');
  }
  for (let index = 40; index < 50; index++) {
    assert.deepEqual(results[index], { ok: false, conflict: { kind: 'account_missing', accountId: accountId('nobody') } });
    assert.equal(await store.getRecord(tenantId, 'payment', `r-lone-${index}`), null);
  }
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 20n));
  await assertTotalsBalance(store, tenantId);
}

async function fundsOnlyWhatIsThere(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const funded = 37;
  await fundCustomer(store, tenantId, BigInt(funded) * 10n);
  const results = await Promise.all(Array.from({ length: 100 }, (_, index) =>
    store.commit({ tenantId, at: baseAt, transfers: [posted(`spend-${index}`, 'customer', 'merchant', 10n)] })));
  const succeeded = results.filter((result) => result.ok).length;
  assert.equal(succeeded, funded, 'only the funded number of debits go through');
  const refusal: CommitResult = { ok: false, conflict: { kind: 'balance_limit', accountId: accountId('customer') } };
  assert.ok(results.every((result) => result.ok || JSON.stringify(result) === JSON.stringify(refusal)));
  assert.deepEqual(await balancesOf(store, tenantId, 'customer'), balances(370n, 370n));
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 370n));
  await assertTotalsBalance(store, tenantId);
}

async function resolvesHoldOnceUnderRace(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 100n);
  await commitOk(store, { tenantId, transfers: [pending] });
  const results = await Promise.all(Array.from({ length: 20 }, (_, index) => store.commit({
    tenantId, at: baseAt, transfers: [index % 2 === 0 ? postHold(`c-${index}`, pending, 60n) : voidHold(`v-${index}`, pending)],
  })));
  assert.equal(results.filter((result) => result.ok).length, 1);
  for (const result of results.filter((found) => !found.ok)) {
    assert.deepEqual(result, { ok: false, conflict: { kind: 'pending_resolved', transferId: pending.id } });
  }
  const merchant = await balancesOf(store, tenantId, 'merchant');
  assert.equal(merchant.creditsPending, 0n);
  assert.ok(merchant.creditsPosted === 60n || merchant.creditsPosted === 0n);
  await assertTotalsBalance(store, tenantId);
}

export function concurrencySpec(makeStore: StoreFactory): void {
  suite('concurrent commits', () => {
    spec('gives each of 50 concurrent commits its own result, conflicts included', makeStore, givesEachCommitItsResult);
    spec('lets only the funded number of 100 concurrent debits through a no-negative account', makeStore, fundsOnlyWhatIsThere);
    spec('resolves a hold once when 20 posts and voids race for it', makeStore, resolvesHoldOnceUnderRace);
  });
}
