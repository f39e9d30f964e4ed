// Conformance: versioned records. Expected version 0 creates, n updates version n to n + 1,
// anything else is a `version` conflict; lists page through a kind, or an index key.
import assert from 'node:assert/strict';
import { pageSizeMax, type JsonObject, type PageRequest, type RecordWrite, type Store, type StoredRecord } from '../../../app/ports/store.ts';
import type { TenantId } from '../../../domain/ids.ts';
import { baseAt, commitOk, commitRefused, newTenant, spec, suite, type StoreFactory } from './harness.ts';

const pagesMax = 100;

function write(id: string, body: JsonObject, expectedVersion: number, indexKey?: string, kind = 'payment'): RecordWrite {
  return { kind, id, body, expectedVersion, ...(indexKey === undefined ? {} : { indexKey }) };
}

/** Follows cursors to the end; every page must respect the limit. */
async function listAll(store: Store, tenantId: TenantId, kind: string, request: PageRequest & { indexKey?: string }): Promise<StoredRecord[]> {
  const found: StoredRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < pagesMax; pages++) {
    const page = await store.listRecords(tenantId, kind, { ...request, ...(cursor === undefined ? {} : { cursor }) });
    assert.ok(page.items.length <= Math.min(request.limit, pageSizeMax), `a page of ${page.items.length} items exceeds the limit`);
    found.push(...page.items);
    if (page.nextCursor === null) return found;
    cursor = page.nextCursor;
  }
  assert.fail('listing did not end');
}

function idsOf(records: readonly StoredRecord[]): string[] {
  return records.map((record) => record.id).sort();
}

async function createsRecord(store: Store): Promise<void> {
  const tenantId = newTenant();
  const body = { status: 'PAYMENT-INITIATED', amount_minor: '999999999999999', nested: { list: [1, 'two', null, true], empty: {} } };
  await commitOk(store, { tenantId, records: [write('p-1', body, 0, 'pending')] });
  assert.deepEqual(await store.getRecord(tenantId, 'payment', 'p-1'), {
    tenantId, kind: 'payment', id: 'p-1', version: 1, body, indexKey: 'pending', createdAt: baseAt, updatedAt: baseAt,
  });
  assert.equal(await store.getRecord(tenantId, 'payment', 'p-2'), null);
  assert.equal(await store.getRecord(tenantId, 'refund', 'p-1'), null, 'the kind is part of the key');
  await commitOk(store, { tenantId, records: [write('p-1', { other: 'kind' }, 0, undefined, 'refund')] });
  assert.equal((await store.getRecord(tenantId, 'refund', 'p-1'))?.indexKey, null);
}

async function updatesRecord(store: Store): Promise<void> {
  const tenantId = newTenant();
  await commitOk(store, { tenantId, records: [write('p-1', { step: 1 }, 0)] });
  await commitOk(store, { tenantId, at: baseAt + 5, records: [write('p-1', { step: 2 }, 1)] });
  await commitOk(store, { tenantId, at: baseAt + 9, records: [write('p-1', { step: 3 }, 2)] });
  const record = await store.getRecord(tenantId, 'payment', 'p-1');
  assert.deepEqual(record, { tenantId, kind: 'payment', id: 'p-1', version: 3, body: { step: 3 }, indexKey: null, createdAt: baseAt, updatedAt: baseAt + 9 });
}

async function refusesStaleVersions(store: Store): Promise<void> {
  const tenantId = newTenant();
  await commitOk(store, { tenantId, records: [write('p-1', { step: 1 }, 0)] });
  const conflict = { kind: 'version', recordKind: 'payment', id: 'p-1' } as const;
  await commitRefused(store, { tenantId, records: [write('p-1', { step: 'again' }, 0)] }, conflict);
  await commitRefused(store, { tenantId, records: [write('p-1', { step: 'stale' }, 2)] }, conflict);
  await commitRefused(store, { tenantId, records: [write('p-9', { step: 'missing' }, 1)] }, { kind: 'version', recordKind: 'payment', id: 'p-9' });
  await commitRefused(store, { tenantId, records: [write('p-2', { fresh: true }, 0), write('p-1', { step: 'stale' }, 3)] }, conflict);
  assert.equal(await store.getRecord(tenantId, 'payment', 'p-2'), null, 'a refused changeset writes none of its records');
  assert.deepEqual((await store.getRecord(tenantId, 'payment', 'p-1'))?.body, { step: 1 });
  assert.equal((await store.getRecord(tenantId, 'payment', 'p-1'))?.version, 1);
}

async function pagesRecords(store: Store): Promise<void> {
  const tenantId = newTenant();
  for (let index = 1; index <= 5; index++) {
    await commitOk(store, { tenantId, records: [write(`p-${index}`, { index }, 0), write(`r-${index}`, { index }, 0, undefined, 'refund')] });
  }
  const firstPage = await store.listRecords(tenantId, 'payment', { limit: 2 });
  assert.equal(firstPage.items.length, 2);
  assert.notEqual(firstPage.nextCursor, null);
  const all = await listAll(store, tenantId, 'payment', { limit: 2 });
  assert.deepEqual(idsOf(all), ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'], 'each record exactly once');
  assert.deepEqual(idsOf(await listAll(store, tenantId, 'refund', { limit: 50 })), ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']);
  assert.deepEqual(await store.listRecords(tenantId, 'dispute', { limit: 10 }), { items: [], nextCursor: null });
}

async function listsByIndexKey(store: Store): Promise<void> {
  const tenantId = newTenant();
  await commitOk(store, {
    tenantId,
    records: [
      write('p-1', {}, 0, 'pending'), write('p-2', {}, 0), write('p-3', {}, 0, 'pending'),
      write('p-4', {}, 0, 'settled'), write('p-5', {}, 0, 'pending'), write('x-1', {}, 0, 'pending', 'refund'),
    ],
  });
  assert.deepEqual(idsOf(await listAll(store, tenantId, 'payment', { limit: 2, indexKey: 'pending' })), ['p-1', 'p-3', 'p-5']);
  // A write replaces the whole record: one without an index key leaves the index.
  await commitOk(store, { tenantId, records: [write('p-3', { done: true }, 1), write('p-2', {}, 1, 'pending')] });
  assert.deepEqual(idsOf(await listAll(store, tenantId, 'payment', { limit: 2, indexKey: 'pending' })), ['p-1', 'p-2', 'p-5']);
  assert.deepEqual(idsOf(await listAll(store, tenantId, 'payment', { limit: 10, indexKey: 'settled' })), ['p-4']);
  assert.deepEqual(idsOf(await listAll(store, tenantId, 'payment', { limit: 10 })), ['p-1', 'p-2', 'p-3', 'p-4', 'p-5']);
}

async function capsPageSize(store: Store): Promise<void> {
  const tenantId = newTenant();
  const total = pageSizeMax + 5;
  const commits: Promise<number>[] = [];
  for (let start = 0; start < total; start += 16) {
    const ids = Array.from({ length: Math.min(16, total - start) }, (_, offset) => `p-${String(start + offset).padStart(4, '0')}`);
    commits.push(commitOk(store, { tenantId, records: ids.map((id) => write(id, {}, 0)) }));
  }
  await Promise.all(commits);
  const page = await store.listRecords(tenantId, 'payment', { limit: pageSizeMax * 10 });
  assert.ok(page.items.length <= pageSizeMax && page.items.length > 0);
  assert.notEqual(page.nextCursor, null);
  assert.equal(new Set((await listAll(store, tenantId, 'payment', { limit: pageSizeMax * 10 })).map((record) => record.id)).size, total);
}

export function recordsSpec(makeStore: StoreFactory): void {
  suite('records', () => {
    spec('creates a record at version 1 and reads it back', makeStore, createsRecord);
    spec('updates a record at its expected version and bumps the version', makeStore, updatesRecord);
    spec('refuses creating a record that exists and writing at a stale version, with the whole changeset', makeStore, refusesStaleVersions);
    spec('pages through the records of one kind, each exactly once', makeStore, pagesRecords);
    spec('lists by index key only the records that carry it now', makeStore, listsByIndexKey);
    spec('caps a page at pageSizeMax', makeStore, capsPageSize);
  });
}
