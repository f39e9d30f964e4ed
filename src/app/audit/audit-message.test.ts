// An audit record as a queue message: one group per stream within a tenant (hashed when
// the name does not fit SQS's rules), the record id as deduplication id, the exact record
// back on the other side, and a record too large for a message sent without its details.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainAuditRecord, type AuditRecord } from '../../domain/audit/audit-record.ts';
import type { AuditRecordId, TenantId } from '../../domain/ids.ts';
import { orderedMessageBytesMax } from '../ports/ordered-queue.ts';
import { auditGroupId, auditMessage, readAuditMessage } from './audit-message.ts';

const tenantId = 'tenant-1' as TenantId;
const envelope = { v: 1 as const, masterKeyId: 'key-1', wrappedKey: 'd2s=', iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' };
const record = (overrides: Partial<AuditRecord> = {}): AuditRecord => chainAuditRecord(tenantId, {
  id: 'aud_01' as AuditRecordId, stream: 'txn:t-1', at: Date.UTC(2026, 10, 30), action: 'refund.requested', initiator: 'api_key:k1',
  transactionId: 't-1', refundId: 'r-1', amount: '25.00', currency: 'NGN', status: 'REFUND-PENDING', details: envelope, ...overrides,
}, null);

describe('audit queue messages', () => {
  it('groups by tenant and stream, deduplicates by record id, and reads back the exact record', () => {
    const original = record();
    const message = auditMessage(original);
    assert.equal(message.groupId, 'tenant-1/txn:t-1');
    assert.equal(message.deduplicationId, 'aud_01');
    assert.deepEqual(readAuditMessage(message.body), { record: original, detailsOmitted: false });
  });

  it('hashes a group name that is too long or not printable ASCII, keeping one group per stream', () => {
    const long = auditGroupId(tenantId, `txn:${'x'.repeat(200)}`);
    assert.match(long, /^sha256:[0-9a-f]{64}$/);
    assert.equal(auditGroupId(tenantId, `txn:${'x'.repeat(200)}`), long);
    assert.notEqual(auditGroupId(tenantId, `txn:${'x'.repeat(201)}`), long);
    assert.match(auditGroupId(tenantId, 'txn:naïve'), /^sha256:/);
  });

  it('sends a record too large for a message without its details, marked so', () => {
    const large = record({ details: { ...envelope, ciphertext: 'A'.repeat(orderedMessageBytesMax) } });
    const message = auditMessage(large);
    assert.ok(Buffer.byteLength(message.body) <= orderedMessageBytesMax);
    const read = readAuditMessage(message.body);
    assert.equal(read?.detailsOmitted, true);
    assert.equal(read.record.details, undefined);
    assert.equal(read.record.hash, large.hash, 'the chain hash still names the full record');
  });

  it('reads nothing from a body that is not a record, or a record whose fields do not match its hash', () => {
    const { body } = auditMessage(record());
    for (const text of ['', '{}', 'not json\n{}', body.replace('25.00', '2500.00'), body.replace('"details_omitted":false', '"details_omitted":"no"')]) {
      assert.equal(readAuditMessage(text), null, text.slice(0, 40));
    }
  });
});
