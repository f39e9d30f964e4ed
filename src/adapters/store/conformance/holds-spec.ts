// Conformance: pending transfers (holds). A hold is posted in full or in part (the rest
// released) or voided, exactly once, by a transfer between the same accounts.
import assert from 'node:assert/strict';
import type { Store } from '../../../app/ports/store.ts';
import {
  accountId, balances, balancesOf, commitOk, commitRefused, hold, postHold, posted, spec, suite, transferId, voidHold, type StoreFactory,
} from './harness.ts';
import { openJournal } from './fixtures.ts';

async function postsInFull(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 1_000n);
  await commitOk(store, { tenantId, transfers: [pending] });
  assert.deepEqual(await balancesOf(store, tenantId, 'clearing'), balances(0n, 0n, 1_000n, 0n));
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 0n, 0n, 1_000n));
  assert.equal(await store.getPendingResolution(tenantId, pending.id), null);
  const post = postHold('c-1', pending);
  await commitOk(store, { tenantId, transfers: [post] });
  assert.deepEqual(await balancesOf(store, tenantId, 'clearing'), balances(1_000n, 0n));
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 1_000n));
  const resolution = await store.getPendingResolution(tenantId, pending.id);
  assert.ok(resolution !== null);
  assert.equal(resolution.id, 'c-1');
  assert.equal(resolution.kind, 'post_pending');
  assert.equal(resolution.pendingAmountMinor, 1_000n);
  assert.equal((await store.getTransfer(tenantId, pending.id))?.kind, 'pending', 'the hold itself stays as it was');
}

async function postsInPart(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 1_000n);
  await commitOk(store, { tenantId, transfers: [pending] });
  await commitOk(store, { tenantId, transfers: [postHold('c-1', pending, 600n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'clearing'), balances(600n, 0n));
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 600n));
  assert.equal((await store.getTransfer(tenantId, transferId('c-1')))?.amountMinor, 600n);
}

async function voidsHold(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 1_000n);
  await commitOk(store, { tenantId, transfers: [pending, posted('t-1', 'clearing', 'merchant', 5n)] });
  await commitOk(store, { tenantId, transfers: [voidHold('v-1', pending)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'clearing'), balances(5n, 0n));
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 5n));
  assert.equal((await store.getPendingResolution(tenantId, pending.id))?.kind, 'void_pending');
}

async function holdsAndPostsInOneChangeset(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 300n);
  await commitOk(store, { tenantId, transfers: [pending, postHold('c-1', pending, 200n)] });
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 200n));
}

async function resolvesOnce(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const first = hold('h-1', 'clearing', 'merchant', 1_000n);
  const second = hold('h-2', 'clearing', 'merchant', 500n);
  await commitOk(store, { tenantId, transfers: [first, second] });
  await commitOk(store, { tenantId, transfers: [postHold('c-1', first, 400n)] });
  await commitRefused(store, { tenantId, transfers: [postHold('c-2', first, 400n)] }, { kind: 'pending_resolved', transferId: first.id });
  await commitRefused(store, { tenantId, transfers: [voidHold('v-1', first)] }, { kind: 'pending_resolved', transferId: first.id });
  await commitRefused(store, { tenantId, transfers: [postHold('c-3', second), voidHold('v-2', second)] }, { kind: 'pending_resolved', transferId: second.id });
  assert.equal(await store.getTransfer(tenantId, transferId('c-3')), null, 'the post of the refused set is not applied');
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 400n, 0n, 500n));
  assert.equal((await store.getPendingResolution(tenantId, first.id))?.id, 'c-1');
}

async function refusesUnknownOrDifferentHolds(store: Store): Promise<void> {
  const tenantId = await openJournal(store);
  const pending = hold('h-1', 'clearing', 'merchant', 1_000n);
  const plain = posted('t-1', 'clearing', 'merchant', 1_000n);
  await commitOk(store, { tenantId, transfers: [pending, plain] });
  const missing = hold('h-9', 'clearing', 'merchant', 1_000n);
  await commitRefused(store, { tenantId, transfers: [postHold('c-1', missing)] }, { kind: 'pending_missing', transferId: missing.id });
  const mismatch = { kind: 'pending_mismatch', transferId: pending.id } as const;
  await commitRefused(store, { tenantId, transfers: [{ ...postHold('c-1', pending), pendingAmountMinor: 999n, amountMinor: 999n }] }, mismatch);
  await commitRefused(store, { tenantId, transfers: [{ ...voidHold('v-1', pending), creditAccountId: pending.debitAccountId, debitAccountId: pending.creditAccountId }] }, mismatch);
  await commitRefused(store, { tenantId, transfers: [{ ...postHold('c-1', pending), creditAccountId: accountId('fees') }] }, mismatch);
  await commitRefused(store, { tenantId, transfers: [postHold('c-1', plain)] }, { kind: 'pending_mismatch', transferId: plain.id });
  assert.equal(await store.getPendingResolution(tenantId, pending.id), null);
  assert.deepEqual(await balancesOf(store, tenantId, 'merchant'), balances(0n, 1_000n, 0n, 1_000n));
}

export function holdsSpec(makeStore: StoreFactory): void {
  suite('pending transfers', () => {
    spec('holds funds with a pending transfer and posts it in full', makeStore, postsInFull);
    spec('posts part of a hold and releases the remainder', makeStore, postsInPart);
    spec('voids a hold', makeStore, voidsHold);
    spec('holds and posts in one changeset', makeStore, holdsAndPostsInOneChangeset);
    spec('resolves a hold at most once, also within one changeset', makeStore, resolvesOnce);
    spec('refuses resolving a missing hold, or one with other accounts, amount or kind', makeStore, refusesUnknownOrDifferentHolds);
  });
}
