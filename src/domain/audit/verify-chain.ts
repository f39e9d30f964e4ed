// Verification of a tenant's audit trail (A3), pure and streaming: records are visited one
// at a time in stream then sequence order, then compared with the stream heads, the latest
// checkpoint and every checkpoint before it (the checkpoint chain: gapless, each linked to
// the one before, no stream sealed lower than before, every sealed record still there);
// the first record that was edited, removed, inserted or reordered is named.
import { invariant } from '../invariant.ts';
import {
  compareStreams,
  genesisHash,
  hashAuditRecord,
  hashCheckpoint,
  hashStreamHeads,
  type AuditCheckpoint,
  type AuditRecord,
  type AuditStreamHead,
} from './audit-record.ts';

export type AuditProblem =
  /** The record's fields no longer produce its hash: it was edited. */
  | 'hash_mismatch'
  /** The record does not link to the record before it: one was altered, inserted or reordered. */
  | 'chain_broken'
  /** Sequence numbers are missing before this record: records were removed. */
  | 'sequence_gap'
  /** The record's sequence does not come after the previous one's: records were reordered. */
  | 'sequence_out_of_order'
  /** The stream head disagrees with the stream's last record: its tail was removed or forged. */
  | 'head_mismatch'
  /**
   * A checkpoint does not match the records it sealed (a stream was rewritten or
   * truncated), or the chain of checkpoints is broken (one removed, altered or unlinked).
   */
  | 'checkpoint_mismatch';

export type BrokenRecord = {
  /**
   * The record at which verification failed. Where the record itself is gone (a stream
   * with no records left, or a checkpoint that is inconsistent in itself) it is empty and
   * `detail` says what is missing.
   */
  readonly recordId: string;
  readonly stream: string;
  /** The named record's sequence; 0 when no record can be named. */
  readonly sequence: number;
  readonly problem: AuditProblem;
  /** One sentence for people: what was expected and what was found. */
  readonly detail: string;
};

export type AuditVerification = {
  readonly status: 'intact' | 'broken';
  readonly recordsChecked: number;
  /** The first problem in stream order, then sequence order; absent when intact. */
  readonly firstBroken?: BrokenRecord;
};

export type AuditVerifierOptions = {
  /**
   * The checkpoint that `finish` will be given, when it is known before the scan. Then only
   * the records it sealed are remembered (memory per stream); without it, the verifier
   * remembers the id and hash of every record so that `finish` can check any checkpoint.
   */
  readonly checkpoint?: AuditCheckpoint | null;
  /** The tenant's checkpoints read before the scan, oldest first: each is checked against the records too. */
  readonly chain?: CheckpointChain;
};

export interface AuditVerifier {
  /** Takes the next record, in stream then sequence order (as `Store.scanAudit` visits them). */
  visit(record: AuditRecord): void;
  /** Compares what was visited with the stored stream heads and the latest checkpoint. */
  finish(heads: readonly AuditStreamHead[], checkpoint: AuditCheckpoint | null): AuditVerification;
}

type RecordReference = { readonly id: string; readonly sequence: number; readonly hash: string };

type StreamState = {
  readonly first: RecordReference;
  last: RecordReference;
  /** The hash the last record links to: a successor linking to it instead names an inserted record. */
  beforeLastHash: string;
};

/** Remembers the records a checkpoint may ask about. */
interface SealedRecords {
  remember(stream: string, record: RecordReference): void;
  recordAt(stream: string, sequence: number): RecordReference | undefined;
}

/** The records at the positions the latest checkpoint and the checkpoint chain sealed. */
function sealedRecordsOf(checkpoint: AuditCheckpoint | null, chain: CheckpointChain | undefined): SealedRecords {
  const sealedSequences = new Map(checkpoint?.heads.map((head) => [head.stream, head.sequence]));
  const found = new Map<string, Map<number, RecordReference>>();
  return {
    remember(stream, record) {
      if (sealedSequences.get(stream) !== record.sequence && chain?.sealed(stream, record.sequence) === undefined) return;
      let records = found.get(stream);
      if (records === undefined) {
        records = new Map();
        found.set(stream, records);
      }
      if (!records.has(record.sequence)) records.set(record.sequence, record);
    },
    recordAt(stream, sequence) {
      return found.get(stream)?.get(sequence);
    },
  };
}

function everyRecord(): SealedRecords {
  const streams = new Map<string, Map<number, RecordReference>>();
  return {
    remember(stream, record) {
      let records = streams.get(stream);
      if (records === undefined) {
        records = new Map();
        streams.set(stream, records);
      }
      if (!records.has(record.sequence)) records.set(record.sequence, record);
    },
    recordAt(stream, sequence) {
      return streams.get(stream)?.get(sequence);
    },
  };
}


/** Keeps the first problem in stream order, then sequence order; the earlier found wins a tie. */
class FirstProblem {
  private found: BrokenRecord | undefined;

  get first(): BrokenRecord | undefined {
    return this.found;
  }

  report(stream: string, record: { id: string; sequence: number } | null, problem: AuditProblem, detail: string): void {
    const candidate: BrokenRecord = { recordId: record?.id ?? '', stream, sequence: record?.sequence ?? 0, problem, detail };
    if (this.found === undefined) {
      this.found = candidate;
      return;
    }
    const byStream = compareStreams(candidate.stream, this.found.stream);
    if (byStream < 0 || (byStream === 0 && candidate.sequence < this.found.sequence)) this.found = candidate;
  }
}

function referenceOf(record: AuditRecord): RecordReference {
  return { id: record.id, sequence: record.sequence, hash: record.hash };
}

/**
 * A record that links to the record two places back, skipping the one between, names that
 * one as inserted: a forged record slipped into a stream is reported itself rather than
 * the genuine record renumbered behind it.
 */
function checkInserted(record: AuditRecord, state: StreamState | undefined, problems: FirstProblem): void {
  if (state === undefined || record.sequence <= state.last.sequence) return;
  if (record.previousHash === state.last.hash || record.previousHash !== state.beforeLastHash) return;
  const inserted = state.last;
  problems.report(record.stream, inserted, 'chain_broken',
    `the next record links past #${inserted.sequence} to the one before it: #${inserted.sequence} was inserted`);
}

/** Checks one record against the record before it in its stream; reports at most one problem of its own. */
function checkRecord(record: AuditRecord, state: StreamState | undefined, problems: FirstProblem): void {
  const stream = record.stream;
  checkInserted(record, state, problems);
  const previous = state?.last;
  const expected = (previous?.sequence ?? 0) + 1;
  if (record.sequence < expected) {
    problems.report(stream, record, 'sequence_out_of_order', `#${record.sequence} comes where #${expected} was expected`);
    return;
  }
  if (record.sequence > expected) {
    const missing = record.sequence - 1 === expected ? `#${expected} is` : `#${expected} to #${record.sequence - 1} are`;
    problems.report(stream, record, 'sequence_gap', `${missing} missing before #${record.sequence}`);
    return;
  }
  const { hash, ...unsealed } = record;
  if (hashAuditRecord(unsealed) !== hash) {
    problems.report(stream, record, 'hash_mismatch', `the fields of #${record.sequence} no longer produce its hash: it was edited`);
    return;
  }
  if (record.previousHash !== (previous?.hash ?? genesisHash)) {
    const before = previous === undefined ? 'the start of the stream' : `#${previous.sequence}`;
    problems.report(stream, record, 'chain_broken', `#${record.sequence} does not link to ${before}`);
  }
}

function advance(streams: Map<string, StreamState>, stream: string, record: RecordReference): void {
  const state = streams.get(stream);
  if (state === undefined) {
    streams.set(stream, { first: record, last: record, beforeLastHash: genesisHash });
    return;
  }
  // A record that does not move the stream forward was reported as out of order; the
  // stream goes on from the furthest record so that one misplaced record is named once.
  if (record.sequence <= state.last.sequence) return;
  state.beforeLastHash = state.last.hash;
  state.last = record;
}

function checkHeads(streams: ReadonlyMap<string, StreamState>, heads: readonly AuditStreamHead[], problems: FirstProblem): void {
  const headed = new Set<string>();
  for (const head of heads) {
    headed.add(head.stream);
    const last = streams.get(head.stream)?.last;
    if (last === undefined) {
      problems.report(head.stream, null, 'head_mismatch', `the stream head is at #${head.sequence} but the stream has no records`);
    } else if (last.sequence < head.sequence) {
      problems.report(head.stream, last, 'head_mismatch',
        `the records end at #${last.sequence} but the stream head is at #${head.sequence}: later records were removed`);
    } else if (last.sequence > head.sequence) {
      problems.report(head.stream, last, 'head_mismatch',
        `the records go on to #${last.sequence} beyond the stream head at #${head.sequence}`);
    } else if (last.hash !== head.hash) {
      problems.report(head.stream, last, 'head_mismatch', `#${last.sequence} is not the record the stream head names`);
    }
  }
  for (const [stream, state] of streams) {
    if (!headed.has(stream)) problems.report(stream, state.first, 'head_mismatch', 'the stream has records but no stream head');
  }
}

/** A checkpoint must match its own hash before its heads can be believed. */
function checkpointConsistent(checkpoint: AuditCheckpoint): boolean {
  const recordCount = checkpoint.heads.reduce((sum, head) => sum + head.sequence, 0);
  return hashStreamHeads(checkpoint.heads) === checkpoint.headsHash
    && checkpoint.streamCount === checkpoint.heads.length
    && checkpoint.recordCount === recordCount
    && hashCheckpoint(checkpoint) === checkpoint.hash;
}

function checkCheckpoint(
  streams: ReadonlyMap<string, StreamState>,
  sealed: SealedRecords,
  checkpoint: AuditCheckpoint,
  problems: FirstProblem,
): void {
  const name = `checkpoint #${checkpoint.sequence}`;
  if (!checkpointConsistent(checkpoint)) {
    problems.report('', null, 'checkpoint_mismatch', `${name} does not match its own hash: it was altered`);
    return;
  }
  for (const head of checkpoint.heads) {
    const last = streams.get(head.stream)?.last;
    const record = sealed.recordAt(head.stream, head.sequence);
    if (last === undefined) {
      problems.report(head.stream, null, 'checkpoint_mismatch', `${name} sealed the stream at #${head.sequence} but it has no records`);
    } else if (last.sequence < head.sequence) {
      problems.report(head.stream, last, 'checkpoint_mismatch',
        `the records end at #${last.sequence} but ${name} sealed the stream at #${head.sequence}`);
    } else if (record === undefined) {
      problems.report(head.stream, { id: '', sequence: head.sequence }, 'checkpoint_mismatch',
        `#${head.sequence}, sealed by ${name}, is missing`);
    } else if (record.hash !== head.hash) {
      problems.report(head.stream, record, 'checkpoint_mismatch', `#${head.sequence} is not the record ${name} sealed`);
    }
  }
}

type ChainProblem = { readonly stream: string; readonly record: { id: string; sequence: number } | null; readonly detail: string };
type SealedPosition = { readonly hash: string; readonly checkpoint: number };

/**
 * The chain of a tenant's checkpoints, taken oldest first: each must follow the one before
 * (no sequence missing, its previous hash the one before's hash), match its own hash, and
 * seal every stream the one before sealed, no lower. Remembers each distinct position
 * (stream, sequence) any checkpoint sealed, with the hash sealed there, for the verifier
 * to find among the records; memory is one checkpoint's heads plus those positions.
 */
export class CheckpointChain {
  #last: AuditCheckpoint | null = null;
  #lastHeads = new Map<string, number>();
  readonly #positions = new Map<string, Map<number, SealedPosition>>();
  readonly #problems: ChainProblem[] = [];

  get last(): AuditCheckpoint | null {
    return this.#last;
  }

  add(checkpoint: AuditCheckpoint): void {
    const name = `checkpoint #${checkpoint.sequence}`;
    const expected = (this.#last?.sequence ?? 0) + 1;
    if (checkpoint.sequence !== expected) {
      const missing = checkpoint.sequence - 1 === expected ? `checkpoint #${expected} is` : `checkpoints #${expected} to #${checkpoint.sequence - 1} are`;
      this.#problems.push({ stream: '', record: null, detail: `${missing} missing before ${name}: removed from the chain` });
    } else if (checkpoint.previousHash !== (this.#last?.hash ?? genesisHash)) {
      this.#problems.push({ stream: '', record: null, detail: `${name} does not link to ${this.#last === null ? 'the start of the chain' : `checkpoint #${this.#last.sequence}`}` });
    }
    if (!checkpointConsistent(checkpoint)) {
      this.#problems.push({ stream: '', record: null, detail: `${name} does not match its own hash: it was altered` });
      this.#last = checkpoint;
      return;
    }
    const heads = new Map<string, number>();
    for (const head of checkpoint.heads) {
      heads.set(head.stream, head.sequence);
      const before = this.#lastHeads.get(head.stream);
      if (before !== undefined && head.sequence < before) {
        this.#problems.push({ stream: head.stream, record: { id: '', sequence: head.sequence },
          detail: `${name} sealed the stream at #${head.sequence}, below #${before} sealed by the checkpoint before it: the stream was truncated` });
      }
      let positions = this.#positions.get(head.stream);
      if (positions === undefined) {
        positions = new Map();
        this.#positions.set(head.stream, positions);
      }
      if (!positions.has(head.sequence)) positions.set(head.sequence, { hash: head.hash, checkpoint: checkpoint.sequence });
    }
    for (const [stream, sequence] of this.#lastHeads) {
      if (!heads.has(stream)) {
        this.#problems.push({ stream, record: null, detail: `${name} no longer seals the stream the checkpoint before it sealed at #${sequence}: the stream was removed` });
      }
    }
    this.#last = checkpoint;
    this.#lastHeads = heads;
  }

  /** What a checkpoint sealed at this position, if any did. */
  sealed(stream: string, sequence: number): SealedPosition | undefined {
    return this.#positions.get(stream)?.get(sequence);
  }

  /**
   * Reports the chain's own problems, then checks the latest checkpoint of the snapshot
   * against it (it may be newer: sealed after the chain was read) and every sealed position
   * against the records visited.
   */
  check(streams: ReadonlyMap<string, StreamState>, records: SealedRecords, latest: AuditCheckpoint | null, problems: FirstProblem): void {
    const last = this.#last;
    if (last !== null && (latest === null || latest.sequence < last.sequence)) {
      problems.report('', null, 'checkpoint_mismatch', `checkpoint #${last.sequence} is gone: the latest checkpoint is ${latest === null ? 'none' : `#${latest.sequence}`}`);
    } else if (last !== null && latest?.sequence === last.sequence && latest.hash !== last.hash) {
      problems.report('', null, 'checkpoint_mismatch', `checkpoint #${last.sequence} changed while the trail was verified`);
    } else if (latest !== null && latest.sequence === (last?.sequence ?? 0) + 1) {
      this.add(latest);
    }
    for (const problem of this.#problems) problems.report(problem.stream, problem.record, 'checkpoint_mismatch', problem.detail);
    for (const [stream, positions] of this.#positions) {
      const lastRecord = streams.get(stream)?.last;
      for (const [sequence, position] of positions) {
        const name = `checkpoint #${position.checkpoint}`;
        const record = records.recordAt(stream, sequence);
        if (lastRecord === undefined) {
          problems.report(stream, null, 'checkpoint_mismatch', `${name} sealed the stream at #${sequence} but it has no records`);
        } else if (lastRecord.sequence < sequence) {
          problems.report(stream, lastRecord, 'checkpoint_mismatch', `the records end at #${lastRecord.sequence} but ${name} sealed the stream at #${sequence}`);
        } else if (record === undefined) {
          problems.report(stream, { id: '', sequence }, 'checkpoint_mismatch', `#${sequence}, sealed by ${name}, is missing`);
        } else if (record.hash !== position.hash) {
          problems.report(stream, record, 'checkpoint_mismatch', `#${sequence} is not the record ${name} sealed`);
        }
      }
    }
  }
}

export function createAuditVerifier(options: AuditVerifierOptions = {}): AuditVerifier {
  const expected = options.checkpoint;
  const chain = options.chain;
  const sealed = expected === undefined ? everyRecord() : sealedRecordsOf(expected, chain);
  const streams = new Map<string, StreamState>();
  const problems = new FirstProblem();
  let recordsChecked = 0;
  let finished = false;
  return {
    visit(record) {
      invariant(!finished, 'an audit verifier takes no records after finish');
      recordsChecked++;
      checkRecord(record, streams.get(record.stream), problems);
      const reference = referenceOf(record);
      sealed.remember(record.stream, reference);
      advance(streams, record.stream, reference);
    },
    finish(heads, checkpoint) {
      invariant(!finished, 'an audit verifier finishes once');
      invariant(expected === undefined || (expected?.hash ?? null) === (checkpoint?.hash ?? null),
        'finish takes the checkpoint the verifier was created with');
      finished = true;
      checkHeads(streams, heads, problems);
      if (checkpoint !== null) checkCheckpoint(streams, sealed, checkpoint, problems);
      chain?.check(streams, sealed, checkpoint, problems);
      const firstBroken = problems.first;
      return firstBroken === undefined
        ? { status: 'intact', recordsChecked }
        : { status: 'broken', recordsChecked, firstBroken };
    },
  };
}

/** Verifies records already at hand (an array or any iterable) in one call. */
export function verifyAuditChain(
  records: Iterable<AuditRecord>,
  heads: readonly AuditStreamHead[],
  checkpoint: AuditCheckpoint | null,
  earlier: readonly AuditCheckpoint[] = [],
): AuditVerification {
  const chain = new CheckpointChain();
  for (const each of earlier) chain.add(each);
  const verifier = createAuditVerifier({ checkpoint, chain });
  for (const record of records) verifier.visit(record);
  return verifier.finish(heads, checkpoint);
}
