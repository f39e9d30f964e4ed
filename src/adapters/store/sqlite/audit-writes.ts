// Writes of the audit trail: appends chained by the store onto the stream head it reads
// inside the commit (so concurrent writers to one stream never conflict), and checkpoints
// sealed over every stream head of a tenant.
import { chainAuditRecord, sealCheckpoint, type AuditAppend, type AuditCheckpoint } from '../../../domain/audit/audit-record.ts';
import type { TenantId } from '../../../domain/ids.ts';
import type { Sql } from './sql.ts';
import { auditCheckpointColumns, auditRecordColumns, auditRecordValues, checkpointFromRow, checkpointValues, streamHeadFromRow } from '../rows/audit-codecs.ts';

const insertAuditRecordSql = `INSERT INTO audit_records (${auditRecordColumns})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const saveHeadSql = `INSERT INTO audit_heads (tenant_id, stream, sequence, hash) VALUES (?, ?, ?, ?)
  ON CONFLICT (tenant_id, stream) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash`;
const insertCheckpointSql = `INSERT INTO audit_checkpoints (${auditCheckpointColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function appendAudit(sql: Sql, tenantId: TenantId, appends: readonly AuditAppend[]): void {
  for (const append of appends) {
    const headRow = sql.get('SELECT stream, sequence, hash FROM audit_heads WHERE tenant_id = ? AND stream = ?', tenantId, append.stream);
    const record = chainAuditRecord(tenantId, append, headRow === undefined ? null : streamHeadFromRow(headRow));
    sql.run(insertAuditRecordSql, ...auditRecordValues(record));
    sql.run(saveHeadSql, tenantId, record.stream, record.sequence, record.hash);
  }
}

export function latestCheckpoint(sql: Sql, tenantId: TenantId): AuditCheckpoint | null {
  const row = sql.get(`SELECT ${auditCheckpointColumns} FROM audit_checkpoints WHERE tenant_id = ? ORDER BY sequence DESC LIMIT 1`, tenantId);
  return row === undefined ? null : checkpointFromRow(row);
}

/** Oldest first, after a sequence. */
export function listCheckpoints(sql: Sql, tenantId: TenantId, afterSequence: number, limit: number): AuditCheckpoint[] {
  return sql.all(`SELECT ${auditCheckpointColumns} FROM audit_checkpoints WHERE tenant_id = ? AND sequence > ? ORDER BY sequence LIMIT ?`, tenantId, afterSequence, limit)
    .map(checkpointFromRow);
}

/** Call inside a write transaction: the heads read and the checkpoint written are one atomic step. */
export function writeCheckpoint(sql: Sql, tenantId: TenantId, at: number): AuditCheckpoint {
  const heads = sql.all('SELECT stream, sequence, hash FROM audit_heads WHERE tenant_id = ?', tenantId).map(streamHeadFromRow);
  const checkpoint = sealCheckpoint(tenantId, at, heads, latestCheckpoint(sql, tenantId));
  sql.run(insertCheckpointSql, ...checkpointValues(checkpoint));
  return checkpoint;
}
