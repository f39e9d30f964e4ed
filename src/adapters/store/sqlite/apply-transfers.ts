// Applies a changeset's transfers inside its savepoint: every check of the port (accounts,
// currency, uniqueness, pending resolution, balance limits) then the balance updates and
// one balance-history row per account, all with the domain's arithmetic.
import type { Conflict } from '../../../app/ports/store.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { breaksBalanceLimit, type Account, type AccountBalances } from '../../../domain/journal/accounts.ts';
import { applyDelta, balanceDeltas, resolvesPending, type TransferWrite } from '../../../domain/journal/transfers.ts';
import { invariant } from '../../../domain/invariant.ts';
import type { Sql } from './sql.ts';
import { bigintOf } from '../rows/row-values.ts';
import {
  accountColumns,
  accountFromRow,
  balanceColumns,
  balanceValues,
  transferColumns,
  transferFromRow,
  transferInsertColumns,
  transferValues,
} from '../rows/journal-codecs.ts';

const insertTransferSql = `INSERT INTO transfers (${transferInsertColumns})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING sequence`;
const updateBalancesSql = `UPDATE accounts SET debits_posted = ?, credits_posted = ?, debits_pending = ?, credits_pending = ?
  WHERE tenant_id = ? AND id = ?`;
const insertHistorySql = `INSERT INTO account_balances (tenant_id, account_id, transfer_sequence, committed_at, ${balanceColumns})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

function loadAccount(sql: Sql, tenantId: TenantId, accountId: AccountId): Account | null {
  const row = sql.get(`SELECT ${accountColumns} FROM accounts WHERE tenant_id = ? AND id = ?`, tenantId, accountId);
  return row === undefined ? null : accountFromRow(row);
}

function transferExists(sql: Sql, tenantId: TenantId, transferId: TransferId): boolean {
  return sql.get('SELECT 1 AS found FROM transfers WHERE tenant_id = ? AND id = ?', tenantId, transferId) !== undefined;
}

/** A post or void must name an unresolved pending transfer between the same accounts, for its whole amount. */
function checkPendingResolution(sql: Sql, tenantId: TenantId, transfer: TransferWrite): Conflict | null {
  if (transfer.pendingId === undefined) return null;
  const row = sql.get(`SELECT ${transferColumns} FROM transfers WHERE tenant_id = ? AND id = ?`, tenantId, transfer.pendingId);
  if (row === undefined) return { kind: 'pending_missing', transferId: transfer.pendingId };
  const pending = transferFromRow(row);
  if (!resolvesPending(pending, transfer)) return { kind: 'pending_mismatch', transferId: transfer.pendingId };
  const resolved = sql.get('SELECT 1 AS found FROM transfers WHERE tenant_id = ? AND pending_id = ?', tenantId, transfer.pendingId);
  return resolved === undefined ? null : { kind: 'pending_resolved', transferId: transfer.pendingId };
}

function checkAccount(account: Account | null, accountId: AccountId, transfer: TransferWrite): Conflict | null {
  if (account === null) return { kind: 'account_missing', accountId };
  if (account.currency !== transfer.currency) return { kind: 'currency_mismatch', accountId };
  return null;
}

function saveBalances(sql: Sql, account: Account, balances: AccountBalances, transferSequence: bigint, committedAt: number): void {
  const changed = sql.run(updateBalancesSql, ...balanceValues(balances), account.tenantId, account.id);
  invariant(changed === 1, `account ${account.id} vanished while a transfer was applied`);
  sql.run(insertHistorySql, account.tenantId, account.id, transferSequence, committedAt, ...balanceValues(balances));
}

function applyTransfer(sql: Sql, tenantId: TenantId, transfer: TransferWrite, committedAt: number): Conflict | null {
  if (transferExists(sql, tenantId, transfer.id)) return { kind: 'transfer_exists', transferId: transfer.id };
  const debit = loadAccount(sql, tenantId, transfer.debitAccountId);
  const credit = loadAccount(sql, tenantId, transfer.creditAccountId);
  const accountConflict = checkAccount(debit, transfer.debitAccountId, transfer) ?? checkAccount(credit, transfer.creditAccountId, transfer);
  if (accountConflict !== null) return accountConflict;
  invariant(debit !== null && credit !== null, 'checked accounts exist');
  const pendingConflict = checkPendingResolution(sql, tenantId, transfer);
  if (pendingConflict !== null) return pendingConflict;
  const deltas = balanceDeltas(transfer);
  const debitAfter = applyDelta(debit, deltas.debit);
  const creditAfter = applyDelta(credit, deltas.credit);
  if (breaksBalanceLimit({ ...debit, ...debitAfter })) return { kind: 'balance_limit', accountId: debit.id };
  if (breaksBalanceLimit({ ...credit, ...creditAfter })) return { kind: 'balance_limit', accountId: credit.id };
  const inserted = sql.get(insertTransferSql, ...transferValues(tenantId, transfer, committedAt));
  invariant(inserted !== undefined, `transfer ${transfer.id} was not stored`);
  const sequence = bigintOf(inserted, 'sequence');
  saveBalances(sql, debit, debitAfter, sequence, committedAt);
  saveBalances(sql, credit, creditAfter, sequence, committedAt);
  return null;
}

/** Applies the transfers in order; the first conflict stops the changeset (its savepoint is rolled back). */
export function applyTransfers(sql: Sql, tenantId: TenantId, transfers: readonly TransferWrite[], committedAt: number): Conflict | null {
  for (const transfer of transfers) {
    const conflict = applyTransfer(sql, tenantId, transfer, committedAt);
    if (conflict !== null) return conflict;
  }
  return null;
}
