// Specification of audit trail verification (A3): every way of tampering with stored
// records is named at the right record, in both the streaming and the one-call form.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditRecordId, TenantId } from '../ids.ts';
import {
  chainAuditRecord,
  compareStreams,
  hashAuditRecord,
  sealCheckpoint,
  type AuditAppend,
  type AuditCheckpoint,
  type AuditRecord,
  type AuditStreamHead,
} from './audit-record.ts';
import { createAuditVerifier, verifyAuditChain, type AuditProblem, type AuditVerification } from './verify-chain.ts';

const tenantId = 'tenant-1' as TenantId;
const startAt = 1_700_000_000_000;

/** Records per stream, and how many of them the checkpoint sealed; later ones came after it. */
const streamPlan = [
  { stream: 'tenant', total: 3, sealed: 2 },
  { stream: 'txn:a-1', total: 6, sealed: 4 },
  { stream: 'txn:a-2', total: 4, sealed: 4 },
] as const;

type Trail = { records: AuditRecord[]; heads: AuditStreamHead[]; checkpoint: AuditCheckpoint | null };

function appendOf(stream: string, sequence: number): AuditAppend {
  return {
    id: `rec-${stream}-${sequence}` as AuditRecordId,
    stream,
    at: startAt + sequence,
    action: 'payment.pending',
    initiator: 'api_key:key-1',
    transactionId: stream.replace('txn:', ''),
    amount: '100.00',
    currency: 'NGN',
    status: 'PAYMENT-PENDING',
    details: { v: 1, masterKeyId: 'local:0123456789abcdef', wrappedKey: 'd3JhcHBlZA==', iv: 'aXY=', tag: 'dGFn', ciphertext: `c2VhbGVk${sequence}` },
  };
}

function chainStream(stream: string, count: number, change: (append: AuditAppend) => AuditAppend = (append) => append): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let sequence = 1; sequence <= count; sequence++) {
    const previous = records.at(-1);
    records.push(chainAuditRecord(tenantId, change(appendOf(stream, sequence)), previous ?? null));
  }
  return records;
}

function headsOf(records: readonly AuditRecord[]): AuditStreamHead[] {
  const heads = new Map<string, AuditStreamHead>();
  for (const record of records) heads.set(record.stream, { stream: record.stream, sequence: record.sequence, hash: record.hash });
  return [...heads.values()];
}

function inScanOrder(records: readonly AuditRecord[]): AuditRecord[] {
  return [...records].sort((a, b) => compareStreams(a.stream, b.stream) || a.sequence - b.sequence);
}

function buildTrail(): Trail {
  const records = inScanOrder(streamPlan.flatMap((plan) => chainStream(plan.stream, plan.total)));
  const sealedRecords = records.filter((record) => streamPlan.some((plan) => plan.stream === record.stream && record.sequence <= plan.sealed));
  const first = sealCheckpoint(tenantId, startAt + 10, headsOf(sealedRecords.filter((record) => record.sequence === 1)), null);
  return { records, heads: headsOf(records), checkpoint: sealCheckpoint(tenantId, startAt + 20, headsOf(sealedRecords), first) };
}

function recordOf(trail: Trail, stream: string, sequence: number): AuditRecord {
  const found = trail.records.find((record) => record.stream === stream && record.sequence === sequence);
  assert.ok(found, `no record ${stream} #${sequence}`);
  return found;
}

function replaceRecord(trail: Trail, stream: string, sequence: number, change: (record: AuditRecord) => AuditRecord): void {
  const index = trail.records.indexOf(recordOf(trail, stream, sequence));
  trail.records[index] = change(trail.records[index]!);
}

function removeRecord(trail: Trail, stream: string, sequence: number): void {
  trail.records.splice(trail.records.indexOf(recordOf(trail, stream, sequence)), 1);
}

function rehashed(record: Omit<AuditRecord, 'hash'>): AuditRecord {
  return { ...record, hash: hashAuditRecord(record) };
}

function setHead(trail: Trail, stream: string, record: AuditRecord): void {
  trail.heads = trail.heads.map((head) => (head.stream === stream ? { stream, sequence: record.sequence, hash: record.hash } : head));
}

function idOf(stream: string, sequence: number): string {
  return `rec-${stream}-${sequence}`;
}

type Expected = { recordId: string; stream: string; sequence: number; problem: AuditProblem };

type Scenario = { name: string; tamper: (trail: Trail) => void; expected: Expected };

const scenarios: readonly Scenario[] = [
  {
    name: 'an edited amount',
    tamper: (trail) => { replaceRecord(trail, 'txn:a-1', 2, (record) => ({ ...record, amount: '1000.00' })); },
    expected: { recordId: idOf('txn:a-1', 2), stream: 'txn:a-1', sequence: 2, problem: 'hash_mismatch' },
  },
  {
    name: 'an edited status',
    tamper: (trail) => { replaceRecord(trail, 'txn:a-1', 5, (record) => ({ ...record, status: 'PAYMENT-SUCCESS' })); },
    expected: { recordId: idOf('txn:a-1', 5), stream: 'txn:a-1', sequence: 5, problem: 'hash_mismatch' },
  },
  {
    name: 'an edited details ciphertext',
    tamper: (trail) => {
      replaceRecord(trail, 'txn:a-2', 3, (record) => ({ ...record, details: { ...record.details!, ciphertext: 'Zm9yZ2Vk' } }));
    },
    expected: { recordId: idOf('txn:a-2', 3), stream: 'txn:a-2', sequence: 3, problem: 'hash_mismatch' },
  },
  {
    name: 'an edited record whose hash was recomputed',
    tamper: (trail) => {
      replaceRecord(trail, 'txn:a-1', 2, ({ hash: _hash, ...record }) => rehashed({ ...record, amount: '1.00' }));
    },
    expected: { recordId: idOf('txn:a-1', 3), stream: 'txn:a-1', sequence: 3, problem: 'chain_broken' },
  },
  {
    name: 'a deleted middle record',
    tamper: (trail) => { removeRecord(trail, 'txn:a-1', 3); },
    expected: { recordId: idOf('txn:a-1', 4), stream: 'txn:a-1', sequence: 4, problem: 'sequence_gap' },
  },
  {
    name: 'a deleted first record',
    tamper: (trail) => { removeRecord(trail, 'txn:a-2', 1); },
    expected: { recordId: idOf('txn:a-2', 2), stream: 'txn:a-2', sequence: 2, problem: 'sequence_gap' },
  },
  {
    name: 'a deleted middle record with the later ones renumbered',
    tamper: (trail) => {
      removeRecord(trail, 'txn:a-1', 3);
      trail.records = trail.records.map((record) => (record.stream === 'txn:a-1' && record.sequence > 3
        ? { ...record, sequence: record.sequence - 1 } : record));
    },
    expected: { recordId: idOf('txn:a-1', 4), stream: 'txn:a-1', sequence: 3, problem: 'hash_mismatch' },
  },
  {
    name: 'a deleted last record',
    tamper: (trail) => { removeRecord(trail, 'txn:a-1', 6); },
    expected: { recordId: idOf('txn:a-1', 5), stream: 'txn:a-1', sequence: 5, problem: 'head_mismatch' },
  },
  {
    name: 'a deleted stream',
    tamper: (trail) => { trail.records = trail.records.filter((record) => record.stream !== 'tenant'); },
    expected: { recordId: '', stream: 'tenant', sequence: 0, problem: 'head_mismatch' },
  },
  {
    name: 'two records swapped by exchanging their sequence numbers',
    tamper: (trail) => {
      const second = recordOf(trail, 'txn:a-1', 2);
      const third = recordOf(trail, 'txn:a-1', 3);
      replaceRecord(trail, 'txn:a-1', 2, () => ({ ...third, sequence: 2 }));
      replaceRecord(trail, 'txn:a-1', 3, () => ({ ...second, sequence: 3 }));
    },
    expected: { recordId: idOf('txn:a-1', 3), stream: 'txn:a-1', sequence: 2, problem: 'hash_mismatch' },
  },
  {
    name: 'two records delivered in swapped order',
    tamper: (trail) => {
      const second = trail.records.indexOf(recordOf(trail, 'txn:a-1', 2));
      const third = trail.records.indexOf(recordOf(trail, 'txn:a-1', 3));
      [trail.records[second], trail.records[third]] = [trail.records[third]!, trail.records[second]!];
    },
    expected: { recordId: idOf('txn:a-1', 2), stream: 'txn:a-1', sequence: 2, problem: 'sequence_out_of_order' },
  },
  {
    name: 'a forged record inserted in the middle, later records renumbered',
    tamper: (trail) => {
      const forged = chainAuditRecord(tenantId, { ...appendOf('txn:a-1', 99), amount: '5000.00' }, recordOf(trail, 'txn:a-1', 2));
      trail.records = inScanOrder([
        ...trail.records.map((record) => (record.stream === 'txn:a-1' && record.sequence >= 3 ? { ...record, sequence: record.sequence + 1 } : record)),
        forged,
      ]);
      setHead(trail, 'txn:a-1', recordOf(trail, 'txn:a-1', 7));
    },
    expected: { recordId: idOf('txn:a-1', 99), stream: 'txn:a-1', sequence: 3, problem: 'chain_broken' },
  },
  {
    name: 'a forged record that repeats a sequence number',
    tamper: (trail) => {
      const forged = chainAuditRecord(tenantId, appendOf('txn:a-1', 99), recordOf(trail, 'txn:a-1', 2));
      trail.records.splice(trail.records.indexOf(recordOf(trail, 'txn:a-1', 3)) + 1, 0, forged);
    },
    expected: { recordId: idOf('txn:a-1', 99), stream: 'txn:a-1', sequence: 3, problem: 'sequence_out_of_order' },
  },
  {
    name: 'a forged record appended without moving the stream head',
    tamper: (trail) => {
      const forged = chainAuditRecord(tenantId, appendOf('txn:a-1', 7), recordOf(trail, 'txn:a-1', 6));
      trail.records = inScanOrder([...trail.records, forged]);
    },
    expected: { recordId: idOf('txn:a-1', 7), stream: 'txn:a-1', sequence: 7, problem: 'head_mismatch' },
  },
  {
    name: 'a forged stream with no stream head',
    tamper: (trail) => { trail.records = inScanOrder([...trail.records, ...chainStream('txn:a-0', 2)]); },
    expected: { recordId: idOf('txn:a-0', 1), stream: 'txn:a-0', sequence: 1, problem: 'head_mismatch' },
  },
  {
    name: 'a stream truncated before the checkpoint, its head moved back',
    tamper: (trail) => {
      for (const sequence of [6, 5, 4, 3]) removeRecord(trail, 'txn:a-1', sequence);
      setHead(trail, 'txn:a-1', recordOf(trail, 'txn:a-1', 2));
    },
    expected: { recordId: idOf('txn:a-1', 2), stream: 'txn:a-1', sequence: 2, problem: 'checkpoint_mismatch' },
  },
  {
    name: 'a stream rewritten and re-chained up to the checkpoint',
    tamper: (trail) => {
      const rewritten = chainStream('txn:a-2', 4, (append) => ({ ...append, amount: '1.00' }));
      trail.records = inScanOrder([...trail.records.filter((record) => record.stream !== 'txn:a-2'), ...rewritten]);
      setHead(trail, 'txn:a-2', rewritten.at(-1)!);
    },
    expected: { recordId: idOf('txn:a-2', 4), stream: 'txn:a-2', sequence: 4, problem: 'checkpoint_mismatch' },
  },
  {
    name: 'a checkpoint whose sealed heads were edited',
    tamper: (trail) => {
      const checkpoint = trail.checkpoint!;
      trail.checkpoint = { ...checkpoint, heads: checkpoint.heads.filter((head) => head.stream !== 'txn:a-1') };
    },
    expected: { recordId: '', stream: '', sequence: 0, problem: 'checkpoint_mismatch' },
  },
  {
    name: 'edits in two streams, named in stream order',
    tamper: (trail) => {
      replaceRecord(trail, 'txn:a-2', 1, (record) => ({ ...record, reason: 'edited' }));
      replaceRecord(trail, 'txn:a-1', 4, (record) => ({ ...record, reason: 'edited' }));
    },
    expected: { recordId: idOf('txn:a-1', 4), stream: 'txn:a-1', sequence: 4, problem: 'hash_mismatch' },
  },
];

/** The store's way: visit every record, then read the heads and the checkpoint. */
function verifyStreaming(trail: Trail): AuditVerification {
  const verifier = createAuditVerifier();
  for (const record of trail.records) verifier.visit(record);
  return verifier.finish(trail.heads, trail.checkpoint);
}

function verifyAtHand(trail: Trail): AuditVerification {
  return verifyAuditChain(trail.records, trail.heads, trail.checkpoint);
}

const ways = [
  { name: 'streaming, checkpoint at the end', verify: verifyStreaming },
  { name: 'checkpoint known before the scan', verify: verifyAtHand },
] as const;

describe('audit chain verification', () => {
  for (const way of ways) {
    describe(way.name, () => {
      it('finds an untouched trail intact, with records appended after the checkpoint', () => {
        const trail = buildTrail();
        assert.deepEqual(way.verify(trail), { status: 'intact', recordsChecked: 13 });
      });

      it('finds an untouched trail intact without a checkpoint', () => {
        assert.deepEqual(way.verify({ ...buildTrail(), checkpoint: null }), { status: 'intact', recordsChecked: 13 });
      });

      it('finds an empty trail intact', () => {
        assert.deepEqual(way.verify({ records: [], heads: [], checkpoint: null }), { status: 'intact', recordsChecked: 0 });
      });

      for (const scenario of scenarios) {
        it(`names ${scenario.name}`, () => {
          const trail = buildTrail();
          scenario.tamper(trail);
          const verification = way.verify(trail);
          assert.equal(verification.status, 'broken');
          assert.equal(verification.recordsChecked, trail.records.length);
          const { detail, ...named } = verification.firstBroken!;
          assert.deepEqual(named, scenario.expected, detail);
          assert.ok(detail.length > 0);
        });
      }
    });
  }

  it('refuses records after finish and a second finish', () => {
    const trail = buildTrail();
    const verifier = createAuditVerifier();
    verifier.finish(trail.heads, null);
    assert.throws(() => { verifier.visit(trail.records[0]!); }, /after finish/);
    assert.throws(() => verifier.finish(trail.heads, null), /finishes once/);
  });

  it('refuses to finish with a checkpoint other than the one it was created with', () => {
    const trail = buildTrail();
    const verifier = createAuditVerifier({ checkpoint: null });
    assert.throws(() => verifier.finish(trail.heads, trail.checkpoint), /checkpoint the verifier was created with/);
  });

  it('seals the heads into the checkpoint in stream order without changing how a checkpoint is hashed', () => {
    const heads = [...buildTrail().heads].reverse();
    const checkpoint = sealCheckpoint(tenantId, startAt, heads, null);
    assert.deepEqual(checkpoint.heads.map((head) => head.stream), ['tenant', 'txn:a-1', 'txn:a-2']);
    assert.equal(checkpoint.recordCount, 13);
    assert.equal(checkpoint.streamCount, 3);
    const hashBeforeHeadsWereStored = createHash('sha256')
      .update(JSON.stringify(['contra-checkpoint-v1', tenantId, 1, startAt, checkpoint.headsHash, 3, 13, '0'.repeat(64)]))
      .digest('hex');
    assert.equal(checkpoint.hash, hashBeforeHeadsWereStored);
  });
});

describe('checkpoint chain verification', () => {
  /** The trail with its two checkpoints: #1 over every stream's first record, #2 the latest. */
  function chainedTrail(): Trail & { first: AuditCheckpoint; second: AuditCheckpoint } {
    const trail = buildTrail();
    const second = trail.checkpoint!;
    const first = sealCheckpoint(tenantId, startAt + 10, headsOf(trail.records.filter((record) => record.sequence === 1)), null);
    assert.equal(second.previousHash, first.hash);
    return { ...trail, first, second };
  }

  function broken(verification: AuditVerification): Omit<Expected, 'recordId'> & { detail: string } {
    assert.equal(verification.status, 'broken');
    const { recordId: _id, ...named } = verification.firstBroken!;
    return named;
  }

  it('finds an untouched chain intact, read with or without the latest checkpoint', () => {
    const trail = chainedTrail();
    assert.equal(verifyAuditChain(trail.records, trail.heads, trail.second, [trail.first]).status, 'intact');
    assert.equal(verifyAuditChain(trail.records, trail.heads, trail.second, [trail.first, trail.second]).status, 'intact');
  });

  it('names a checkpoint removed from the middle of the chain', () => {
    const trail = chainedTrail();
    const third = sealCheckpoint(tenantId, startAt + 30, trail.heads, trail.second);
    const found = broken(verifyAuditChain(trail.records, trail.heads, third, [trail.first, third]));
    assert.deepEqual([found.problem, found.stream], ['checkpoint_mismatch', '']);
    assert.match(found.detail, /checkpoint #2 is missing before checkpoint #3/);
  });

  it('names the newest checkpoints gone from the snapshot the chain was read before', () => {
    const trail = chainedTrail();
    const found = broken(verifyAuditChain(trail.records, trail.heads, trail.first, [trail.first, trail.second]));
    assert.match(found.detail, /checkpoint #2 is gone: the latest checkpoint is #1/);
  });

  it('names an older checkpoint that was altered or unlinked', () => {
    const trail = chainedTrail();
    const altered = { ...trail.first, heads: trail.first.heads.slice(1) };
    assert.match(broken(verifyAuditChain(trail.records, trail.heads, trail.second, [altered, trail.second])).detail, /checkpoint #1 does not match its own hash/);
    const unlinked = sealCheckpoint(tenantId, startAt + 20, trail.second.heads, { ...trail.first, hash: 'f'.repeat(64) });
    assert.match(broken(verifyAuditChain(trail.records, trail.heads, unlinked, [trail.first, unlinked])).detail, /checkpoint #2 does not link to checkpoint #1/);
  });

  it('names a stream that a later checkpoint seals lower than an earlier one', () => {
    const trail = chainedTrail();
    const lower = sealCheckpoint(tenantId, startAt + 30, trail.heads.map((head) => (head.stream === 'txn:a-2' ? { ...head, sequence: 1, hash: recordOf(trail, 'txn:a-2', 1).hash } : head)), trail.second);
    const found = broken(verifyAuditChain(trail.records, trail.heads, lower, [trail.first, trail.second, lower]));
    assert.deepEqual([found.problem, found.stream, found.sequence], ['checkpoint_mismatch', 'txn:a-2', 1]);
    assert.match(found.detail, /below #4 sealed by the checkpoint before it/);
  });

  it('names a rewritten stream through an older checkpoint when the latest one was forged over it', () => {
    const trail = chainedTrail();
    const rewritten = chainStream('txn:a-2', 4, (append) => ({ ...append, amount: '1.00' }));
    trail.records = inScanOrder([...trail.records.filter((record) => record.stream !== 'txn:a-2'), ...rewritten]);
    setHead(trail, 'txn:a-2', rewritten.at(-1)!);
    const forged = sealCheckpoint(tenantId, startAt + 20, trail.second.heads.map((head) => (head.stream === 'txn:a-2' ? { ...head, hash: rewritten.at(-1)!.hash } : head)), trail.first);
    assert.equal(verifyAuditChain(trail.records, trail.heads, forged).status, 'intact', 'the latest checkpoint alone is fooled');
    const found = broken(verifyAuditChain(trail.records, trail.heads, forged, [trail.first, forged]));
    assert.deepEqual([found.problem, found.stream, found.sequence], ['checkpoint_mismatch', 'txn:a-2', 1]);
    assert.match(found.detail, /#1 is not the record checkpoint #1 sealed/);
  });
});
