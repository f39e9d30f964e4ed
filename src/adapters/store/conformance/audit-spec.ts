// Conformance: the audit trail. The store chains each append onto its stream's head inside
// the commit, keeps the heads, seals checkpoints over them and searches the records.
import assert from 'node:assert/strict';
import type { AuditFilter, Store } from '../../../app/ports/store.ts';
import {
  genesisHash, hashAuditRecord, sealCheckpoint, type AuditAppend, type AuditRecord,
} from '../../../domain/audit/audit-record.ts';
import { verifyAuditChain } from '../../../domain/audit/verify-chain.ts';
import type { TenantId } from '../../../domain/ids.ts';
import { auditAppend, baseAt, commitOk, newTenant, sampleEnvelope, spec, suite, type StoreFactory } from './harness.ts';

async function scan(store: Store, tenantId: TenantId): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  await store.scanAudit(tenantId, () => (record) => records.push(record));
  return records;
}

async function verify(store: Store, tenantId: TenantId): Promise<string> {
  const [records, heads, checkpoint] = [await scan(store, tenantId), await store.auditHeads(tenantId), await store.latestAuditCheckpoint(tenantId)];
  return verifyAuditChain(records, heads, checkpoint).status;
}

function withoutChain(record: AuditRecord): AuditAppend {
  const { tenantId: _tenantId, sequence: _sequence, previousHash: _previousHash, hash: _hash, ...append } = record;
  return append;
}

async function chainsAcrossCommits(store: Store): Promise<void> {
  const tenantId = newTenant();
  const full = auditAppend('a-1', 'txn:t-1', {
    transactionId: 't-1', refundId: 'r-1', reversalId: 'v-1', amount: '100.00', currency: 'NGN', reason: 'customer asked', details: sampleEnvelope,
  });
  await commitOk(store, { tenantId, audit: [full, auditAppend('a-2', 'txn:t-1', { action: 'payment.pending' }), auditAppend('a-3', 'tenant')] });
  await commitOk(store, { tenantId, audit: [auditAppend('a-4', 'txn:t-1', { action: 'payment.succeeded' })] });
  const records = await scan(store, tenantId);
  assert.deepEqual(records.map((record) => [record.stream, record.sequence, record.id]), [
    ['tenant', 1, 'a-3'], ['txn:t-1', 1, 'a-1'], ['txn:t-1', 2, 'a-2'], ['txn:t-1', 3, 'a-4'],
  ], 'stream then sequence order');
  const [tenantRecord, first, second, third] = records;
  assert.ok(tenantRecord !== undefined && first !== undefined && second !== undefined && third !== undefined);
  assert.deepEqual(withoutChain(first), full, 'every field and the sealed details round-trip');
  assert.deepEqual(withoutChain(tenantRecord), auditAppend('a-3', 'tenant'), 'absent optional fields stay absent');
  for (const record of records) {
    const { hash, ...unsealed } = record;
    assert.equal(hashAuditRecord(unsealed), hash);
    assert.equal(record.tenantId, tenantId);
  }
  assert.equal(first.previousHash, genesisHash);
  assert.equal(second.previousHash, first.hash);
  assert.equal(third.previousHash, second.hash);
  assert.deepEqual(await store.auditHeads(tenantId), [
    { stream: 'tenant', sequence: 1, hash: tenantRecord.hash }, { stream: 'txn:t-1', sequence: 3, hash: third.hash },
  ]);
  assert.equal(await verify(store, tenantId), 'intact');
}

async function chainsConcurrentAppends(store: Store): Promise<void> {
  const tenantId = newTenant();
  const results = await Promise.all(Array.from({ length: 20 }, (_, index) => store.commit({ tenantId, at: baseAt, audit: [auditAppend(`a-${index}`, 'access')] })));
  assert.ok(results.every((result) => result.ok), 'appends to one stream never conflict');
  const records = await scan(store, tenantId);
  assert.deepEqual(records.map((record) => record.sequence), Array.from({ length: 20 }, (_, index) => index + 1));
  assert.equal(new Set(records.map((record) => record.id)).size, 20);
  assert.equal(await verify(store, tenantId), 'intact');
}

async function listsOneStream(store: Store): Promise<void> {
  const tenantId = newTenant();
  await commitOk(store, { tenantId, audit: [auditAppend('a-1', 'txn:t-1'), auditAppend('a-2', 'tenant'), auditAppend('a-3', 'txn:t-1')] });
  await commitOk(store, { tenantId, audit: [auditAppend('a-4', 'txn:t-1'), auditAppend('a-5', 'txn:t-10')] });
  const ids = async (stream: string, after: number, limit: number): Promise<string[]> =>
    (await store.listAuditStream(tenantId, stream, after, limit)).map((record) => `${record.sequence}:${record.id}`);
  assert.deepEqual(await ids('txn:t-1', 0, 10), ['1:a-1', '2:a-3', '3:a-4'], 'the whole stream, in sequence order');
  assert.deepEqual(await ids('txn:t-1', 1, 1), ['2:a-3'], 'after a sequence, at most the limit');
  assert.deepEqual(await ids('txn:t-1', 3, 10), [], 'nothing after the head');
  assert.deepEqual(await ids('txn:t-10', 0, 10), ['1:a-5'], 'a stream whose name extends another is its own');
  assert.deepEqual(await store.listAuditStream(newTenant(), 'txn:t-1', 0, 10), [], 'nothing of another tenant');
  const [record] = await store.listAuditStream(tenantId, 'txn:t-1', 0, 1);
  const [scanned] = await scan(store, tenantId).then((records) => records.filter((candidate) => candidate.id === 'a-1'));
  assert.deepEqual(record, scanned, 'the same record the scan reads');
}

async function sealsCheckpoints(store: Store): Promise<void> {
  const tenantId = newTenant();
  assert.equal(await store.latestAuditCheckpoint(tenantId), null);
  await commitOk(store, { tenantId, audit: [auditAppend('a-1', 'txn:t-1'), auditAppend('a-2', 'tenant'), auditAppend('a-3', 'txn:t-1')] });
  const heads = await store.auditHeads(tenantId);
  const first = await store.sealAuditCheckpoint(tenantId, baseAt + 10);
  assert.deepEqual(first, sealCheckpoint(tenantId, baseAt + 10, heads, null));
  assert.equal(first.recordCount, 3);
  assert.deepEqual(await store.latestAuditCheckpoint(tenantId), first);
  await commitOk(store, { tenantId, audit: [auditAppend('a-4', 'dispute:d-1')] });
  assert.equal(await verify(store, tenantId), 'intact', 'records after a checkpoint are legitimate');
  const second = await store.sealAuditCheckpoint(tenantId, baseAt + 20);
  assert.deepEqual(second, sealCheckpoint(tenantId, baseAt + 20, await store.auditHeads(tenantId), first));
  assert.equal(second.previousHash, first.hash);
  assert.deepEqual(await store.latestAuditCheckpoint(tenantId), second);
  assert.equal(await verify(store, tenantId), 'intact');
  assert.deepEqual(await store.listAuditCheckpoints(tenantId, 0, 10), [first, second], 'the chain, oldest first');
  assert.deepEqual(await store.listAuditCheckpoints(tenantId, 0, 1), [first], 'at most the limit');
  assert.deepEqual(await store.listAuditCheckpoints(tenantId, 1, 10), [second], 'after a sequence');
  assert.deepEqual(await store.listAuditCheckpoints(newTenant(), 0, 10), [], 'nothing of another tenant');
  const quiet = newTenant();
  const empty = await store.sealAuditCheckpoint(quiet, baseAt);
  assert.deepEqual([empty.sequence, empty.streamCount, empty.recordCount], [1, 0, 0]);
}

async function searchesRecords(store: Store): Promise<void> {
  const tenantId = newTenant();
  await commitOk(store, {
    tenantId,
    audit: [
      auditAppend('a-1', 'txn:t-1', { at: 10, transactionId: 't-1', action: 'payment.initiated', initiator: 'api_key:k1' }),
      auditAppend('a-2', 'txn:t-1', { at: 20, transactionId: 't-1', action: 'payment.succeeded', initiator: 'system:requery' }),
      auditAppend('a-3', 'txn:t-2', { at: 30, transactionId: 't-2', action: 'payment.initiated', initiator: 'api_key:k2' }),
    ],
  });
  await commitOk(store, { tenantId, audit: [auditAppend('a-4', 'access', { at: 40, action: 'ledger.read', initiator: 'api_key:k1' })] });
  const ids = async (filter: AuditFilter, limit = 50): Promise<string[]> => (await store.listAudit(tenantId, filter, { limit })).items.map((record) => record.id);
  assert.deepEqual(await ids({}), ['a-1', 'a-2', 'a-3', 'a-4'], 'oldest first');
  assert.deepEqual(await ids({ transactionId: 't-1' }), ['a-1', 'a-2']);
  assert.deepEqual(await ids({ initiator: 'api_key:k1' }), ['a-1', 'a-4']);
  assert.deepEqual(await ids({ action: 'payment.initiated' }), ['a-1', 'a-3']);
  assert.deepEqual(await ids({ fromAt: 20, toAt: 30 }), ['a-2', 'a-3'], 'the time range includes both ends');
  assert.deepEqual(await ids({ fromAt: 25 }), ['a-3', 'a-4']);
  assert.deepEqual(await ids({ toAt: 10 }), ['a-1']);
  assert.deepEqual(await ids({ action: 'payment.initiated', initiator: 'api_key:k2', fromAt: 0, toAt: 100 }), ['a-3']);
  assert.deepEqual(await ids({ transactionId: 't-9' }), []);
  const firstPage = await store.listAudit(tenantId, {}, { limit: 3 });
  assert.deepEqual(firstPage.items.map((record) => record.id), ['a-1', 'a-2', 'a-3']);
  assert.ok(firstPage.nextCursor !== null);
  const secondPage = await store.listAudit(tenantId, {}, { limit: 3, cursor: firstPage.nextCursor });
  assert.deepEqual(secondPage.items.map((record) => record.id), ['a-4']);
  assert.equal(secondPage.nextCursor, null);
  assert.deepEqual((await store.listAudit(tenantId, { transactionId: 't-1' }, { limit: 1 })).items.map((record) => record.hash), [(await scan(store, tenantId)).find((record) => record.id === 'a-1')?.hash]);
}

export function auditSpec(makeStore: StoreFactory): void {
  suite('audit trail', () => {
    spec('chains records per stream across commits, with every field kept', makeStore, chainsAcrossCommits);
    spec('chains concurrent appends to one stream without conflicts', makeStore, chainsConcurrentAppends);
    spec('lists one stream after a sequence, in sequence order', makeStore, listsOneStream);
    spec('seals checkpoints over every stream head, each linked to the one before', makeStore, sealsCheckpoints);
    spec('searches by transaction, initiator, action and time, oldest first in pages', makeStore, searchesRecords);
  });
}
