// The ordered audit sink over the store port (A4): each entry the audit queue delivers
// becomes an `audit_export` record in the seed's PaymentAuditTrail shape, written in one
// changeset with its stream's `audit_export_head` (the last applied sequence) under an
// expected version. So an entry is applied once (the record id must be new), and only
// right after the one before it in its stream; a duplicate or a gap writes nothing.
import type { AuditRecord } from '../../domain/audit/audit-record.ts';
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
    const committed = await this.#store.commit({
      tenantId: record.tenantId,
      at: this.#clock.now(),
      records: [
        { kind: auditExportKind, id: record.id, expectedVersion: 0, indexKey: auditExportIndexKey(record.stream), body: paymentAuditTrailEntry(record, options.detailsOmitted) },
        { kind: auditExportHeadKind, id: record.stream, expectedVersion: head?.version ?? 0, body: { applied: record.sequence, record_id: record.id } },
      ],
    });
    if (committed.ok) return 'applied';
    invariant(committed.conflict.kind === 'version', `applying an audit export: ${committed.conflict.kind}`);
    // Another consumer wrote the stream meanwhile: if it wrote this entry, this one is a duplicate.
    return appliedOf(await this.#store.getRecord(record.tenantId, auditExportHeadKind, record.stream)) >= record.sequence ? 'duplicate' : 'conflict';
  }
}
