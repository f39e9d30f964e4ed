// Applies one changeset inside its savepoint, part by part, stopping at the first
// conflict. Parts are checked in a fixed order: records, accounts, transfers, ledger
// entries; audit records and outbox messages never conflict.
import type { Changeset, Conflict, LedgerEntryWrite, OutboxMessage, RecordWrite } from '../../../app/ports/store.ts';
import type { AccountDefinition } from '../../../domain/journal/accounts.ts';
import type { TenantId } from '../../../domain/ids.ts';
import type { Sql } from './sql.ts';
import { applyTransfers } from './apply-transfers.ts';
import { appendAudit } from './audit-writes.ts';
import { ledgerEntryColumns, ledgerEntryValues } from '../rows/journal-codecs.ts';

const insertRecordSql = `INSERT INTO records (tenant_id, kind, id, version, body, index_key, created_at, updated_at)
  VALUES (?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (tenant_id, kind, id) DO NOTHING`;
// A write replaces the whole record, index key included: a write without one leaves the index.
const updateRecordSql = `UPDATE records SET version = version + 1, body = ?, index_key = ?, updated_at = ?
  WHERE tenant_id = ? AND kind = ? AND id = ? AND version = ?`;
const insertAccountSql = `INSERT INTO accounts (tenant_id, id, type, currency, name, allow_negative, created_at,
  debits_posted, credits_posted, debits_pending, credits_pending)
  VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0) ON CONFLICT (tenant_id, id) DO NOTHING`;
const insertLedgerEntrySql = `INSERT INTO ledger_entries (${ledgerEntryColumns}, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, transaction_id, sequence) DO NOTHING`;
const insertOutboxSql = 'INSERT INTO outbox (tenant_id, id, topic, at, payload, committed_at) VALUES (?, ?, ?, ?, ?, ?)';

function writeRecord(sql: Sql, tenantId: TenantId, at: number, record: RecordWrite): Conflict | null {
  const body = JSON.stringify(record.body);
  const indexKey = record.indexKey ?? null;
  const changed = record.expectedVersion === 0
    ? sql.run(insertRecordSql, tenantId, record.kind, record.id, body, indexKey, at, at)
    : sql.run(updateRecordSql, body, indexKey, at, tenantId, record.kind, record.id, record.expectedVersion);
  return changed === 1 ? null : { kind: 'version', recordKind: record.kind, id: record.id };
}

function writeRecords(sql: Sql, tenantId: TenantId, at: number, records: readonly RecordWrite[]): Conflict | null {
  for (const record of records) {
    const conflict = writeRecord(sql, tenantId, at, record);
    if (conflict !== null) return conflict;
  }
  return null;
}

function createAccounts(sql: Sql, tenantId: TenantId, at: number, accounts: readonly AccountDefinition[]): Conflict | null {
  for (const account of accounts) {
    const allowNegative = account.allowNegative ? 1 : 0;
    const changed = sql.run(insertAccountSql, tenantId, account.id, account.type, account.currency, account.name, allowNegative, at);
    if (changed !== 1) return { kind: 'account_exists', accountId: account.id };
  }
  return null;
}

function appendLedgerEntries(sql: Sql, tenantId: TenantId, entries: readonly LedgerEntryWrite[], committedAt: number): Conflict | null {
  for (const entry of entries) {
    const changed = sql.run(insertLedgerEntrySql, ...ledgerEntryValues(tenantId, entry, committedAt));
    if (changed !== 1) return { kind: 'ledger_entry_exists', transactionId: entry.transactionId, sequence: entry.sequence };
  }
  return null;
}

function enqueueOutbox(sql: Sql, tenantId: TenantId, messages: readonly OutboxMessage[], committedAt: number): void {
  for (const message of messages) {
    sql.run(insertOutboxSql, tenantId, message.id, message.topic, message.at, JSON.stringify(message.payload), committedAt);
  }
}

/** Applies every part of the changeset, or returns the first conflict (the caller rolls the savepoint back). */
export function applyChangeset(sql: Sql, changeset: Changeset, committedAt: number): Conflict | null {
  const { tenantId, at } = changeset;
  sql.run('INSERT INTO tenants (tenant_id, first_committed_at) VALUES (?, ?) ON CONFLICT (tenant_id) DO NOTHING', tenantId, committedAt);
  const conflict = writeRecords(sql, tenantId, at, changeset.records ?? [])
    ?? createAccounts(sql, tenantId, at, changeset.accounts ?? [])
    ?? applyTransfers(sql, tenantId, changeset.transfers ?? [], committedAt)
    ?? appendLedgerEntries(sql, tenantId, changeset.ledgerEntries ?? [], committedAt);
  if (conflict !== null) return conflict;
  appendAudit(sql, tenantId, changeset.audit ?? []);
  enqueueOutbox(sql, tenantId, changeset.outbox ?? [], committedAt);
  return null;
}
