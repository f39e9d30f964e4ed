// The audit relay (A4): publishes committed audit records to the ordered audit queue, each
// stream in sequence order. The records themselves were committed with their actions, so
// none is ever lost; the relay only carries them on. A per-stream cursor record says how
// far the stream is published; it advances only over records the queue accepted, one
// after the other, so a stream's next record is sent only after the one before it was
// accepted. Each send takes at most one record per stream (a batch of SQS does not stop a
// group's later entries when an earlier one fails). Two relays may run at once: cursors
// are written with expected versions, and a record sent twice is dropped by the queue's
// deduplication (its id) or, past that window, skipped by the consumer (its sequence).
import { invariant } from '../../domain/invariant.ts';
import type { AuditRecord, AuditStreamHead } from '../../domain/audit/audit-record.ts';
import type { TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import { orderedBatchMax, orderedMessageBytesMax, type OrderedMessage, type OrderedQueue } from '../ports/ordered-queue.ts';
import { pageSizeMax, type StoredRecord } from '../ports/store.ts';
import { auditMessage } from './audit-message.ts';

export const relayCursorKind = 'audit_relay_cursor';
/** The most records one run publishes; the next run goes on from the cursors. */
export const relayRunMax = 2_000;
/** Records of one stream read from the store at a time. */
const readAhead = 50;
const failureReasonsMax = 10;

export type RelayReport = {
  /** Streams that had records to publish. */
  streams: number;
  published: number;
  /** Sends the queue refused; the stream waits for the next run. */
  failed: number;
  /** Streams another relay advanced meanwhile. */
  claimedElsewhere: number;
  failures: { stream: string; reason: string }[];
};

type JobDependencies = Pick<Dependencies, 'store' | 'clock'>;

type Stream = {
  readonly name: string;
  readonly head: number;
  published: number;
  version: number;
  buffer: AuditRecord[];
};

function publishedOf(record: StoredRecord): number {
  const value = record.body['published'];
  invariant(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0, 'audit relay cursor is not a sequence');
  return value;
}

async function pendingStreams(deps: JobDependencies, tenantId: TenantId, heads: readonly AuditStreamHead[]): Promise<Stream[]> {
  const cursors = new Map<string, StoredRecord>();
  let cursor: string | undefined;
  do {
    const page = await deps.store.listRecords(tenantId, relayCursorKind, { limit: pageSizeMax, ...(cursor === undefined ? {} : { cursor }) });
    for (const record of page.items) cursors.set(record.id, record);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return heads.flatMap((head) => {
    const stored = cursors.get(head.stream);
    const published = stored === undefined ? 0 : publishedOf(stored);
    return head.sequence > published ? [{ name: head.stream, head: head.sequence, published, version: stored?.version ?? 0, buffer: [] }] : [];
  });
}

/** The stream's next record; null when the store has none beyond the cursor (cannot happen below its head). */
async function nextRecord(deps: JobDependencies, tenantId: TenantId, stream: Stream): Promise<AuditRecord | null> {
  if (stream.buffer.length === 0) {
    stream.buffer = [...await deps.store.listAuditStream(tenantId, stream.name, stream.published, Math.min(readAhead, stream.head - stream.published))];
  }
  const record = stream.buffer[0];
  if (record === undefined) return null;
  invariant(record.sequence === stream.published + 1, `audit stream ${stream.name} skips from ${stream.published} to ${record.sequence}`);
  return record;
}

/** Moves the cursor over one accepted record; false when another relay moved it first. */
async function advance(deps: JobDependencies, tenantId: TenantId, stream: Stream, sequence: number): Promise<boolean> {
  const committed = await deps.store.commit({
    tenantId, at: deps.clock.now(),
    records: [{ kind: relayCursorKind, id: stream.name, expectedVersion: stream.version, body: { published: sequence } }],
  });
  if (!committed.ok) {
    invariant(committed.conflict.kind === 'version', `advancing an audit relay cursor: ${committed.conflict.kind}`);
    return false;
  }
  stream.published = sequence;
  stream.version += 1;
  stream.buffer.shift();
  return true;
}

type Entry = { readonly stream: Stream; readonly record: AuditRecord; readonly message: OrderedMessage };

/** The next record of up to `count` streams, within one batch's size limit. */
async function nextBatch(deps: JobDependencies, tenantId: TenantId, streams: readonly Stream[], count: number, done: Set<Stream>): Promise<Entry[]> {
  const entries: Entry[] = [];
  let bytes = 0;
  for (const stream of streams) {
    if (entries.length >= count) break;
    const record = await nextRecord(deps, tenantId, stream);
    if (record === null) {
      done.add(stream);
      continue;
    }
    const message = auditMessage(record);
    const size = Buffer.byteLength(message.body);
    if (bytes + size > orderedMessageBytesMax) break;
    bytes += size;
    entries.push({ stream, record, message });
  }
  return entries;
}

async function relayTenant(deps: JobDependencies, queue: OrderedQueue, tenantId: TenantId, limit: number, report: RelayReport): Promise<void> {
  let active = await pendingStreams(deps, tenantId, await deps.store.auditHeads(tenantId));
  report.streams += active.length;
  while (active.length > 0 && report.published < limit) {
    const done = new Set<Stream>();
    const entries = await nextBatch(deps, tenantId, active, Math.min(orderedBatchMax, limit - report.published), done);
    if (entries.length > 0) {
      const outcomes = await queue.sendBatch(entries.map((entry) => entry.message));
      invariant(outcomes.length === entries.length, 'the queue answered for a different number of messages');
      await Promise.all(entries.map(async ({ stream, record }, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined || !outcome.ok) {
          report.failed++;
          if (report.failures.length < failureReasonsMax) report.failures.push({ stream: stream.name, reason: outcome?.reason ?? 'no outcome' });
          done.add(stream);
        } else if (await advance(deps, tenantId, stream, record.sequence)) {
          report.published++;
          if (stream.published >= stream.head) done.add(stream);
        } else {
          report.claimedElsewhere++;
          done.add(stream);
        }
      }));
    }
    // Streams that were sent go to the back, so every pending stream gets its turn.
    const sent = new Set(entries.map((entry) => entry.stream));
    active = [...active.filter((stream) => !sent.has(stream) && !done.has(stream)), ...active.filter((stream) => sent.has(stream) && !done.has(stream))];
  }
}

export async function relayAudit(deps: JobDependencies, queue: OrderedQueue, options: { limit?: number } = {}): Promise<RelayReport> {
  const limit = options.limit ?? relayRunMax;
  const report: RelayReport = { streams: 0, published: 0, failed: 0, claimedElsewhere: 0, failures: [] };
  for (const tenantId of await deps.store.listTenantIds()) {
    if (report.published >= limit) break;
    await relayTenant(deps, queue, tenantId, limit, report);
  }
  return report;
}
