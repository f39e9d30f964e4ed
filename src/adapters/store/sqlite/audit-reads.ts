// Reads of the audit trail: searches by transaction, initiator, action and time (A5),
// the full scan in stream then sequence order that verification walks, stream heads and
// the latest checkpoint.
import { compareStreams, type AuditRecord, type AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { TenantId } from '../../../domain/ids.ts';
import { pageSizeMax, type AuditFilter, type Page, type PageRequest } from '../../../app/ports/store.ts';
import type { Sql, SqlValue } from './sql.ts';
import { cursorPosition, pageSize, toPage } from '../rows/paging.ts';
import { auditRecordColumns, auditRecordFromRow, streamHeadFromRow } from '../rows/audit-codecs.ts';

/** Each filter field narrows the search; the time range includes both ends. */
function auditConditions(filter: AuditFilter): { where: string[]; values: SqlValue[] } {
  const where: string[] = [];
  const values: SqlValue[] = [];
  const add = (condition: string, value: SqlValue): void => {
    where.push(condition);
    values.push(value);
  };
  if (filter.transactionId !== undefined) add('transaction_id = ?', filter.transactionId);
  if (filter.initiator !== undefined) add('initiator = ?', filter.initiator);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.fromAt !== undefined) add('at >= ?', filter.fromAt);
  if (filter.toAt !== undefined) add('at <= ?', filter.toAt);
  return { where, values };
}

/** Oldest first, in the order the records were committed. */
export function listAudit(sql: Sql, tenantId: TenantId, filter: AuditFilter, page: PageRequest): Page<AuditRecord> {
  const size = pageSize(page);
  const { where, values } = auditConditions(filter);
  // The statement text depends only on which filters are present, so few distinct statements are cached.
  const conditions = ['tenant_id = ?', 'seq > ?', ...where].join(' AND ');
  const rows = sql.all(`SELECT seq, ${auditRecordColumns} FROM audit_records WHERE ${conditions} ORDER BY seq LIMIT ?`,
    tenantId, cursorPosition(page), ...values, size + 1);
  return toPage(rows, size, 'seq', auditRecordFromRow);
}

/**
 * Stream then commit order (`seq`), which is sequence order unless the records were
 * reordered: search lists by `seq`, so the verifier must see that order to catch it. SQLite
 * orders text by UTF-8 bytes, which differs from the domain's stream order
 * (`compareStreams`, UTF-16 code units) only for characters beyond U+FFFF; the verifier
 * keeps its state per stream, so either order verifies the same.
 */
export function scanAudit(sql: Sql, tenantId: TenantId, visit: (record: AuditRecord) => void): void {
  const rows = sql.iterate(`SELECT ${auditRecordColumns} FROM audit_records WHERE tenant_id = ? ORDER BY stream, seq`, tenantId);
  for (const row of rows) visit(auditRecordFromRow(row));
}

/** One stream's records after a sequence, in sequence order (the unique key serves it). */
export function listAuditStream(sql: Sql, tenantId: TenantId, stream: string, afterSequence: number, limit: number): AuditRecord[] {
  return sql.all(`SELECT ${auditRecordColumns} FROM audit_records WHERE tenant_id = ? AND stream = ? AND sequence > ? ORDER BY sequence LIMIT ?`,
    tenantId, stream, afterSequence, Math.min(limit, pageSizeMax)).map(auditRecordFromRow);
}

/** In the domain's stream order. */
export function auditHeads(sql: Sql, tenantId: TenantId): AuditStreamHead[] {
  return sql.all('SELECT stream, sequence, hash FROM audit_heads WHERE tenant_id = ?', tenantId)
    .map(streamHeadFromRow)
    .sort((a, b) => compareStreams(a.stream, b.stream));
}
