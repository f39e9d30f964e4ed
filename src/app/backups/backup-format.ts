// The backup format (B1), version 1. Per tenant and run, under `<tenant>/<stamp>/`:
// `audit.ndjson.gz` (audit records in commit order, exactly as stored, hashes included),
// `records.ndjson.gz` (refund, chargeback and tenant records changed since the previous
// run), `heads.ndjson.gz` (every audit stream head after this run) and `manifest.json`
// (counts, SHA-256 of each file, the audit chain head, where the next run starts).
// The manifest is written last: a run without one never happened.
import { z } from 'zod';
import type { AuditRecord, AuditStreamHead } from '../../domain/audit/audit-record.ts';
import type { AuditRecordId, TenantId } from '../../domain/ids.ts';
import type { JsonObject, StoredRecord } from '../ports/store.ts';

export const backupFormat = 'contra-backup-v1';
export const manifestName = 'manifest.json';
export const auditFileName = 'audit.ndjson.gz';
export const recordsFileName = 'records.ndjson.gz';
export const headsFileName = 'heads.ndjson.gz';

/** Sortable and unique: `20261130T010203456Z-<run id>`. */
export function backupStamp(atMs: number, runId: string): string {
  return `${new Date(atMs).toISOString().replace(/[-:]/g, '').replace('.', '')}-${runId}`;
}

const fileSchema = z.strictObject({ name: z.string(), count: z.int().min(0), bytes: z.int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type BackupFile = z.infer<typeof fileSchema>;

export const manifestSchema = z.strictObject({
  format: z.literal(backupFormat),
  backup_id: z.string(),
  tenant_id: z.string(),
  created_at: z.string(),
  /** The stamp of the run this one continues; null for a full backup. */
  previous: z.string().nullable(),
  /**
   * Audit records decided up to this time (ms) are in this run or an earlier one; the
   * next run reads from this time less the settling window and skips what it has.
   */
  audit_horizon_at: z.int(),
  records_changed_since: z.int().nullable(),
  records_changed_until: z.int(),
  files: z.strictObject({ audit: fileSchema, records: fileSchema, heads: fileSchema }),
  chain_head: z.strictObject({ heads_hash: z.string(), stream_count: z.int().min(0), record_count: z.int().min(0) }),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

const sealedSchema = z.strictObject({ v: z.literal(1), masterKeyId: z.string(), wrappedKey: z.string(), iv: z.string(), tag: z.string(), ciphertext: z.string() });
const auditLineSchema = z.strictObject({
  id: z.string(), stream: z.string(), sequence: z.int().min(1), at: z.int(), action: z.string(), initiator: z.string(),
  transaction_id: z.string().optional(), refund_id: z.string().optional(), reversal_id: z.string().optional(),
  amount: z.string().optional(), currency: z.string().optional(), status: z.string(), reason: z.string().optional(),
  details: sealedSchema.optional(), previous_hash: z.string(), hash: z.string(),
});

export function auditLine(record: AuditRecord): string {
  return JSON.stringify({
    id: record.id, stream: record.stream, sequence: record.sequence, at: record.at, action: record.action, initiator: record.initiator,
    transaction_id: record.transactionId, refund_id: record.refundId, reversal_id: record.reversalId,
    amount: record.amount, currency: record.currency, status: record.status, reason: record.reason,
    details: record.details, previous_hash: record.previousHash, hash: record.hash,
  });
}

export function auditFromLine(tenantId: TenantId, line: string): AuditRecord {
  const parsed = auditLineSchema.parse(JSON.parse(line));
  return {
    tenantId, id: parsed.id as AuditRecordId, stream: parsed.stream, sequence: parsed.sequence, at: parsed.at,
    action: parsed.action, initiator: parsed.initiator, status: parsed.status, previousHash: parsed.previous_hash, hash: parsed.hash,
    ...(parsed.transaction_id === undefined ? {} : { transactionId: parsed.transaction_id }),
    ...(parsed.refund_id === undefined ? {} : { refundId: parsed.refund_id }),
    ...(parsed.reversal_id === undefined ? {} : { reversalId: parsed.reversal_id }),
    ...(parsed.amount === undefined ? {} : { amount: parsed.amount }),
    ...(parsed.currency === undefined ? {} : { currency: parsed.currency }),
    ...(parsed.reason === undefined ? {} : { reason: parsed.reason }),
    ...(parsed.details === undefined ? {} : { details: parsed.details }),
  };
}

const recordLineSchema = z.strictObject({
  kind: z.string(), id: z.string(), version: z.int().min(1), body: z.record(z.string(), z.json()), index_key: z.string().nullable(),
  created_at: z.int(), updated_at: z.int(),
});
export type RecordLine = { readonly kind: string; readonly id: string; readonly version: number; readonly body: JsonObject; readonly indexKey: string | null; readonly createdAt: number; readonly updatedAt: number };

export function recordLine(record: StoredRecord): string {
  return JSON.stringify({ kind: record.kind, id: record.id, version: record.version, body: record.body, index_key: record.indexKey, created_at: record.createdAt, updated_at: record.updatedAt });
}

export function recordFromLine(line: string): RecordLine {
  const parsed = recordLineSchema.parse(JSON.parse(line));
  const body: JsonObject = JSON.parse(JSON.stringify(parsed.body)) as JsonObject;
  return { kind: parsed.kind, id: parsed.id, version: parsed.version, body, indexKey: parsed.index_key, createdAt: parsed.created_at, updatedAt: parsed.updated_at };
}

const headLineSchema = z.strictObject({ stream: z.string(), sequence: z.int().min(1), hash: z.string() });

export function headLine(head: AuditStreamHead): string {
  return JSON.stringify({ stream: head.stream, sequence: head.sequence, hash: head.hash });
}

export function headFromLine(line: string): AuditStreamHead {
  return headLineSchema.parse(JSON.parse(line));
}
