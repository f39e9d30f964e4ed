// One committed audit record as a message of the ordered audit queue (A4): the group is
// the record's stream within its tenant (a transaction's records share `txn:<id>`), the
// deduplication id is the record id, and the body is a header line and the record in the
// backup's NDJSON form, so the consumer gets back exactly the record that was chained.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { hashAuditRecord, type AuditRecord } from '../../domain/audit/audit-record.ts';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { orderedMessageBytesMax, type OrderedMessage } from '../ports/ordered-queue.ts';
import { auditFromLine, auditLine } from '../backups/backup-format.ts';

/** SQS's limits on a group id and a deduplication id: 128 characters of printable ASCII. */
const queueIdMax = 128;
const queueIdShape = /^[\x21-\x7e]+$/;

const headerSchema = z.strictObject({ v: z.literal(1), tenant_id: z.string().min(1), details_omitted: z.boolean() });

/** `<tenant>/<stream>`; a longer or non-ASCII name is replaced by its SHA-256, still one group per stream. */
export function auditGroupId(tenantId: TenantId, stream: string): string {
  const plain = `${tenantId}/${stream}`;
  if (plain.length <= queueIdMax && queueIdShape.test(plain)) return plain;
  return `sha256:${createHash('sha256').update(plain).digest('hex')}`;
}

function body(record: AuditRecord, detailsOmitted: boolean): string {
  const header = { v: 1, tenant_id: record.tenantId, details_omitted: detailsOmitted };
  const { details: _details, ...withoutDetails } = record;
  return `${JSON.stringify(header)}\n${auditLine(detailsOmitted ? withoutDetails : record)}`;
}

/**
 * The message of one record. A record too large for a message (its sealed details are
 * the only part that can grow) goes without its details, marked so: the details stay in
 * the store, where the audit search and verification read them.
 */
export function auditMessage(record: AuditRecord): OrderedMessage {
  invariant(record.id.length <= queueIdMax && queueIdShape.test(record.id), `audit record id ${record.id} cannot be a deduplication id`);
  let text = body(record, false);
  if (Buffer.byteLength(text) > orderedMessageBytesMax) text = body(record, true);
  invariant(Buffer.byteLength(text) <= orderedMessageBytesMax, `audit record ${record.id} is too large for a queue message even without its details`);
  return { groupId: auditGroupId(record.tenantId, record.stream), deduplicationId: record.id, body: text };
}

export type DecodedAuditMessage = { readonly record: AuditRecord; readonly detailsOmitted: boolean };

/**
 * The record a message carries; null for a body that is not one (wrong shape, or a record
 * whose hash does not match its fields — checked here whenever the details came along).
 * A hash is not keyed, so a message proves nothing alone: the sink applies a record only
 * once it matches the one the trail holds at that stream and sequence.
 */
export function readAuditMessage(text: string): DecodedAuditMessage | null {
  const newline = text.indexOf('\n');
  if (newline < 0) return null;
  try {
    const header = headerSchema.parse(JSON.parse(text.slice(0, newline)));
    const record = auditFromLine(header.tenant_id as TenantId, text.slice(newline + 1));
    if (!header.details_omitted) {
      const { hash, ...unsealed } = record;
      if (hashAuditRecord(unsealed) !== hash) return null;
    }
    return { record, detailsOmitted: header.details_omitted };
  } catch {
    return null;
  }
}
