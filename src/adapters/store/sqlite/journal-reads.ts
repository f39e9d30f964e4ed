// Reads of the journal: accounts, balances as of a time (one index lookup in the balance
// history, L5), transfers by id, account and transaction, PaymentLedger entries and the
// per-currency totals that the debits-equal-credits invariant is checked against.
import type { Account, AccountBalances } from '../../../domain/journal/accounts.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import type { JournalTotals, LedgerEntry, Page, PageRequest } from '../../../app/ports/store.ts';
import type { Sql } from './sql.ts';
import { cursorPosition, pageSize, toPage } from '../rows/paging.ts';
import {
  accountColumns,
  accountFromRow,
  balanceColumns,
  balancesFromRow,
  journalTotalsOf,
  ledgerEntryColumns,
  ledgerEntryFromRow,
  transferColumns,
  transferFromRow,
} from '../rows/journal-codecs.ts';

const historyTransferColumns = transferColumns.split(', ').map((column) => `t.${column}`).join(', ');

export function getAccounts(sql: Sql, tenantId: TenantId, ids: readonly AccountId[]): ReadonlyMap<AccountId, Account> {
  const found = new Map<AccountId, Account>();
  if (ids.length === 0) return found;
  const rows = sql.all(`SELECT ${accountColumns} FROM accounts
    WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`, tenantId, JSON.stringify(ids));
  for (const row of rows) {
    const account = accountFromRow(row);
    found.set(account.id, account);
  }
  return found;
}

/** Null when no transfer touched the account at or before `at` (the account then held nothing). */
export function getBalancesAsOf(sql: Sql, tenantId: TenantId, accountId: AccountId, at: number): AccountBalances | null {
  const row = sql.get(`SELECT ${balanceColumns} FROM account_balances
    WHERE tenant_id = ? AND account_id = ? AND committed_at <= ?
    ORDER BY committed_at DESC, transfer_sequence DESC LIMIT 1`, tenantId, accountId, at);
  return row === undefined ? null : balancesFromRow(row);
}

export function getTransfer(sql: Sql, tenantId: TenantId, id: TransferId): Transfer | null {
  const row = sql.get(`SELECT ${transferColumns} FROM transfers WHERE tenant_id = ? AND id = ?`, tenantId, id);
  return row === undefined ? null : transferFromRow(row);
}

export function getPendingResolution(sql: Sql, tenantId: TenantId, pendingId: TransferId): Transfer | null {
  const row = sql.get(`SELECT ${transferColumns} FROM transfers WHERE tenant_id = ? AND pending_id = ?`, tenantId, pendingId);
  return row === undefined ? null : transferFromRow(row);
}

/** Oldest first, by sequence; the balance history has exactly one row per transfer of the account. */
export function listAccountTransfers(sql: Sql, tenantId: TenantId, accountId: AccountId, page: PageRequest): Page<Transfer> {
  const size = pageSize(page);
  const rows = sql.all(`SELECT ${historyTransferColumns}
    FROM account_balances AS h JOIN transfers AS t ON t.sequence = h.transfer_sequence
    WHERE h.tenant_id = ? AND h.account_id = ? AND h.transfer_sequence > ?
    ORDER BY h.transfer_sequence LIMIT ?`, tenantId, accountId, cursorPosition(page), size + 1);
  return toPage(rows, size, 'sequence', transferFromRow);
}

export function listTransactionTransfers(sql: Sql, tenantId: TenantId, transactionId: string): Transfer[] {
  return sql.all(`SELECT ${transferColumns} FROM transfers WHERE tenant_id = ? AND transaction_id = ? ORDER BY sequence`, tenantId, transactionId)
    .map(transferFromRow);
}

export function listLedgerEntries(sql: Sql, tenantId: TenantId, transactionId: string): LedgerEntry[] {
  return sql.all(`SELECT ${ledgerEntryColumns} FROM ledger_entries WHERE tenant_id = ? AND transaction_id = ? ORDER BY sequence`, tenantId, transactionId)
    .map(ledgerEntryFromRow);
}

/** Per currency, in bigint (see journalTotalsOf). */
export function journalTotals(sql: Sql, tenantId: TenantId): JournalTotals {
  return journalTotalsOf(sql.iterate(`SELECT currency, ${balanceColumns} FROM accounts WHERE tenant_id = ? ORDER BY currency`, tenantId));
}
