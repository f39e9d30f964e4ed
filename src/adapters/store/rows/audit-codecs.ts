// Rows of the audit tables (records, stream heads, checkpoints) turned into the domain's
// audit values and back. Details stay sealed: the store only carries the envelope.
import type { AuditCheckpoint, AuditRecord, AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import { isSealedEnvelope } from '../../../domain/crypto/envelope.ts';
import type { AuditRecordId, TenantId } from '../../../domain/ids.ts';
import { invariant } from '../../../domain/invariant.ts';
import type { Row, SqlValue } from './row.ts';
import { numberOf, optionalTextOf, parseJson, textOf } from './row-values.ts';

export const auditRecordColumns = 'tenant_id, stream, sequence, id, at, action, initiator, transaction_id, refund_id, '
  + 'reversal_id, amount, currency, status, reason, details, previous_hash, hash';
export const auditCheckpointColumns = 'tenant_id, sequence, at, heads_hash, heads, stream_count, record_count, previous_hash, hash';

/** The optional fields of an audit record: a NULL column means the field was never set. */
function auditOptionals(row: Row): Partial<Pick<AuditRecord, 'transactionId' | 'refundId' | 'reversalId' | 'amount' | 'currency' | 'reason' | 'details'>> {
  const transactionId = optionalTextOf(row, 'transaction_id');
  const refundId = optionalTextOf(row, 'refund_id');
  const reversalId = optionalTextOf(row, 'reversal_id');
  const amount = optionalTextOf(row, 'amount');
  const currency = optionalTextOf(row, 'currency');
  const reason = optionalTextOf(row, 'reason');
  const details = row['details'] === null ? null : parseJson(row, 'details');
  invariant(details === null || isSealedEnvelope(details), 'column details is not a sealed envelope');
  return {
    ...(transactionId === null ? {} : { transactionId }),
    ...(refundId === null ? {} : { refundId }),
    ...(reversalId === null ? {} : { reversalId }),
    ...(amount === null ? {} : { amount }),
    ...(currency === null ? {} : { currency }),
    ...(reason === null ? {} : { reason }),
    ...(details === null ? {} : { details }),
  };
}

export function auditRecordFromRow(row: Row): AuditRecord {
  return {
    tenantId: textOf(row, 'tenant_id') as TenantId,
    stream: textOf(row, 'stream'),
    sequence: numberOf(row, 'sequence'),
    id: textOf(row, 'id') as AuditRecordId,
    at: numberOf(row, 'at'),
    action: textOf(row, 'action'),
    initiator: textOf(row, 'initiator'),
    status: textOf(row, 'status'),
    previousHash: textOf(row, 'previous_hash'),
    hash: textOf(row, 'hash'),
    ...auditOptionals(row),
  };
}

/** Column values in the order of `auditRecordColumns`. */
export function auditRecordValues(record: AuditRecord): SqlValue[] {
  return [
    record.tenantId,
    record.stream,
    record.sequence,
    record.id,
    record.at,
    record.action,
    record.initiator,
    record.transactionId ?? null,
    record.refundId ?? null,
    record.reversalId ?? null,
    record.amount ?? null,
    record.currency ?? null,
    record.status,
    record.reason ?? null,
    record.details === undefined ? null : JSON.stringify(record.details),
    record.previousHash,
    record.hash,
  ];
}

export function streamHeadFromRow(row: Row): AuditStreamHead {
  return { stream: textOf(row, 'stream'), sequence: numberOf(row, 'sequence'), hash: textOf(row, 'hash') };
}

function isStreamHead(value: unknown): value is AuditStreamHead {
  if (typeof value !== 'object' || value === null) return false;
  if (!('stream' in value) || !('sequence' in value) || !('hash' in value)) return false;
  return typeof value.stream === 'string' && Number.isSafeInteger(value.sequence) && typeof value.hash === 'string';
}

/** The sealed heads, kept as JSON text: they are read only together, with their checkpoint. */
function headsOf(row: Row): AuditStreamHead[] {
  const value = parseJson(row, 'heads');
  invariant(Array.isArray(value) && value.every(isStreamHead), 'column heads is not a list of stream heads');
  return value.map((head) => ({ stream: head.stream, sequence: head.sequence, hash: head.hash }));
}

export function checkpointFromRow(row: Row): AuditCheckpoint {
  return {
    tenantId: textOf(row, 'tenant_id') as TenantId,
    sequence: numberOf(row, 'sequence'),
    at: numberOf(row, 'at'),
    headsHash: textOf(row, 'heads_hash'),
    heads: headsOf(row),
    streamCount: numberOf(row, 'stream_count'),
    recordCount: numberOf(row, 'record_count'),
    previousHash: textOf(row, 'previous_hash'),
    hash: textOf(row, 'hash'),
  };
}

/** Column values in the order of `auditCheckpointColumns`. */
export function checkpointValues(checkpoint: AuditCheckpoint): SqlValue[] {
  return [
    checkpoint.tenantId,
    checkpoint.sequence,
    checkpoint.at,
    checkpoint.headsHash,
    JSON.stringify(checkpoint.heads),
    checkpoint.streamCount,
    checkpoint.recordCount,
    checkpoint.previousHash,
    checkpoint.hash,
  ];
}
