// The ordered audit sink over the store port (A4): each entry the audit queue delivers
// becomes an `audit_export` record in the seed's PaymentAuditTrail shape, written in one
// changeset with its stream's `audit_export_head` (the last applied sequence) under an
// expected version. So an entry is applied once (the record id must be new), and only
// right after the one before it in its stream; a duplicate or a gap writes nothing. An
// entry is written only from the record the trail holds at that stream and sequence, and
// only when the message names that very record (same hash): the hashes are not keyed, so
// a message alone — above all one sent without its details, whose hash cannot be
// recomputed — proves nothing, and a forged entry would have its stream's genuine record
// acknowledged as a duplicate and lost.
import { hashAuditRecord, type AuditRecord } from '../../domain/audit/audit-record.ts';
import { invariant } from '../../domain/invariant.ts';
import type { Clock } from '../../app/ports/clock.ts';
import type { OrderedAuditSink, SinkOutcome } from '../../app/ports/audit-sink.ts';
import type { JsonObject, Store, StoredRecord } from '../../app/ports/store.ts';

export const auditExportKind = 'audit_export';
export const auditExportHeadKind = 'audit_export_head';

/** The index key listing one stream's exported entries. */
export function auditExportIndexKey(stream: string): string {
  return `audit_export:${stream}`;
}

/** The seed's PaymentAuditTrail entry (TransactionID, …, Reason), its action, and where it sits in its chain. */
export function paymentAuditTrailEntry(record: AuditRecord, detailsOmitted: boolean): JsonObject {
  return {
    TransactionID: record.transactionId ?? null,
    RefundID: record.refundId ?? null,
    ReversalID: record.reversalId ?? null,
    Timestamp: new Date(record.at).toISOString(),
    Initiator: record.initiator,
    Amount: record.amount ?? null,
    Currency: record.currency ?? null,
    Status: record.status,
    Reason: record.reason ?? null,
    Action: record.action,
    Details: record.details ?? null,
    DetailsOmitted: detailsOmitted,
    AuditRecordID: record.id,
    Stream: record.stream,
    Sequence: record.sequence,
    Hash: record.hash,
  };
}

function appliedOf(head: StoredRecord | null): number {
  if (head === null) return 0;
  const value = head.body['applied'];
  invariant(typeof value === 'number' && Number.isSafeInteger(value), 'audit export head is not a sequence');
  return value;
}

export class StoreAuditSink implements OrderedAuditSink {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: { readonly store: Store; readonly clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async apply(record: AuditRecord, options: { readonly detailsOmitted: boolean }): Promise<SinkOutcome> {
    const head = await this.#store.getRecord(record.tenantId, auditExportHeadKind, record.stream);
    const applied = appliedOf(head);
    if (record.sequence <= applied) return 'duplicate';
    if (record.sequence > applied + 1) return 'gap';
    const trusted = await this.#verified(record);
    const { details: _details, ...withoutDetails } = trusted;
    const entry = paymentAuditTrailEntry(options.detailsOmitted ? withoutDetails : trusted, options.detailsOmitted);
    const committed = await this.#store.commit({
      tenantId: record.tenantId,
      at: this.#clock.now(),
      records: [
        { kind: auditExportKind, id: record.id, expectedVersion: 0, indexKey: auditExportIndexKey(record.stream), body: entry },
        { kind: auditExportHeadKind, id: record.stream, expectedVersion: head?.version ?? 0, body: { applied: record.sequence, record_id: record.id } },
      ],
    });
    if (committed.ok) return 'applied';
    invariant(committed.conflict.kind === 'version', `applying an audit export: ${committed.conflict.kind}`);
    // Another consumer wrote the stream meanwhile: if it wrote this entry, this one is a duplicate.
    return appliedOf(await this.#store.getRecord(record.tenantId, auditExportHeadKind, record.stream)) >= record.sequence ? 'duplicate' : 'conflict';
  }

  /**
   * The record the message carries, with the trail's sealed details, once its hash is
   * checked; refused (thrown: the message goes back, in the end to the dead-letter queue)
   * if it is not the record the trail holds at its stream and sequence.
   */
  async #verified(record: AuditRecord): Promise<AuditRecord> {
    const [stored] = await this.#store.listAuditStream(record.tenantId, record.stream, record.sequence - 1, 1);
    const where = `${record.stream} #${record.sequence}`;
    if (stored?.sequence !== record.sequence) throw new Error(`audit record ${record.id} (${where}) is not in the trail: refused`);
    // The message's fields with the trail's sealed details (which a large message leaves
    // out) must hash to the hash of the trail's record: then all three are the same record.
    const { details: _details, hash, ...fields } = record;
    const checked = stored.details === undefined ? fields : { ...fields, details: stored.details };
    if (hashAuditRecord(checked) !== hash || hash !== stored.hash) throw new Error(`audit record ${record.id} is not the record the trail holds at ${where}: refused`);
    return { ...checked, hash };
  }
}
