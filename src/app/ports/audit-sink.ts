// Where the consumer of the ordered audit queue persists what it receives (A4): the seed's
// PaymentAuditTrail entries, applied one stream at a time in sequence order. The default
// implementation keeps them as records of the same store (src/adapters/audit-sink).
import type { AuditRecord } from '../../domain/audit/audit-record.ts';

/**
 * `applied`: the entry was written. `duplicate`: it (or a later one of its stream) was
 * already there, nothing written. `gap`: an earlier entry of its stream is still missing,
 * nothing written. `conflict`: another consumer wrote the stream meanwhile; try again.
 */
export type SinkOutcome = 'applied' | 'duplicate' | 'gap' | 'conflict';

export interface OrderedAuditSink {
  /** Applies one record, idempotently, only right after its stream's last applied sequence. */
  apply(record: AuditRecord, options: { readonly detailsOmitted: boolean }): Promise<SinkOutcome>;
}
