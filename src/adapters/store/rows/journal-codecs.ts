// Rows of the journal tables (accounts, transfers, balance history, PaymentLedger entries)
// turned into domain values and back. Amounts stay bigint from column to domain.
import { accountTypes, normalSideOf, zeroBalances, type Account, type AccountBalances } from '../../../domain/journal/accounts.ts';
import { transferKinds, type Transfer, type TransferWrite } from '../../../domain/journal/transfers.ts';
import { isCurrencyCode, type CurrencyCode } from '../../../domain/money/currencies.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { invariant } from '../../../domain/invariant.ts';
import type { LedgerEntry, LedgerEntryWrite } from '../../../app/ports/store.ts';
import type { Row, SqlValue } from './row.ts';
import { bigintOf, booleanOf, jsonObjectOf, numberOf, oneOf, optionalBigintOf, optionalTextOf, parseJson, textOf } from './row-values.ts';

export const balanceColumns = 'debits_posted, credits_posted, debits_pending, credits_pending';
export const accountColumns = `tenant_id, id, type, currency, name, allow_negative, created_at, ${balanceColumns}`;
/** The columns a new transfer is inserted with: its sequence is given by SQLite. */
export const transferInsertColumns = 'tenant_id, id, kind, debit_account_id, credit_account_id, amount_minor, currency, '
  + 'pending_id, pending_amount_minor, transaction_id, code, corrects_transfer_id, description, committed_at';
export const transferColumns = `sequence, ${transferInsertColumns}`;
export const ledgerEntryColumns = 'tenant_id, transaction_id, sequence, status, at, transfer_ids, details';

function currencyOf(row: Row, column: string): CurrencyCode {
  const value = textOf(row, column);
  invariant(isCurrencyCode(value), `column ${column} holds the unknown currency '${value}'`);
  return value;
}

export function balancesFromRow(row: Row): AccountBalances {
  return {
    debitsPosted: bigintOf(row, 'debits_posted'),
    creditsPosted: bigintOf(row, 'credits_posted'),
    debitsPending: bigintOf(row, 'debits_pending'),
    creditsPending: bigintOf(row, 'credits_pending'),
  };
}

/** The four balance columns in the order of `balanceColumns`. */
export function balanceValues(balances: AccountBalances): SqlValue[] {
  return [balances.debitsPosted, balances.creditsPosted, balances.debitsPending, balances.creditsPending];
}

export function accountFromRow(row: Row): Account {
  const type = oneOf(accountTypes, row, 'type');
  return {
    id: textOf(row, 'id') as AccountId,
    tenantId: textOf(row, 'tenant_id') as TenantId,
    type,
    currency: currencyOf(row, 'currency'),
    name: textOf(row, 'name'),
    allowNegative: booleanOf(row, 'allow_negative'),
    normalSide: normalSideOf(type),
    createdAt: numberOf(row, 'created_at'),
    ...balancesFromRow(row),
  };
}

/** The optional fields of a transfer: a NULL column means the field was never set. */
function transferOptionals(row: Row): Partial<Pick<TransferWrite, 'pendingId' | 'pendingAmountMinor' | 'transactionId' | 'correctsTransferId' | 'description'>> {
  const pendingId = optionalTextOf(row, 'pending_id');
  const pendingAmountMinor = optionalBigintOf(row, 'pending_amount_minor');
  const transactionId = optionalTextOf(row, 'transaction_id');
  const correctsTransferId = optionalTextOf(row, 'corrects_transfer_id');
  const description = optionalTextOf(row, 'description');
  return {
    ...(pendingId === null ? {} : { pendingId: pendingId as TransferId }),
    ...(pendingAmountMinor === null ? {} : { pendingAmountMinor }),
    ...(transactionId === null ? {} : { transactionId }),
    ...(correctsTransferId === null ? {} : { correctsTransferId: correctsTransferId as TransferId }),
    ...(description === null ? {} : { description }),
  };
}

export function transferFromRow(row: Row): Transfer {
  return {
    id: textOf(row, 'id') as TransferId,
    tenantId: textOf(row, 'tenant_id') as TenantId,
    kind: oneOf(transferKinds, row, 'kind'),
    debitAccountId: textOf(row, 'debit_account_id') as AccountId,
    creditAccountId: textOf(row, 'credit_account_id') as AccountId,
    amountMinor: bigintOf(row, 'amount_minor'),
    currency: currencyOf(row, 'currency'),
    code: textOf(row, 'code'),
    sequence: bigintOf(row, 'sequence'),
    committedAt: numberOf(row, 'committed_at'),
    ...transferOptionals(row),
  };
}

/** Column values in the order of `transferInsertColumns`. */
export function transferValues(tenantId: TenantId, transfer: TransferWrite, committedAt: number): SqlValue[] {
  return [
    tenantId,
    transfer.id,
    transfer.kind,
    transfer.debitAccountId,
    transfer.creditAccountId,
    transfer.amountMinor,
    transfer.currency,
    transfer.pendingId ?? null,
    transfer.pendingAmountMinor ?? null,
    transfer.transactionId ?? null,
    transfer.code,
    transfer.correctsTransferId ?? null,
    transfer.description ?? null,
    committedAt,
  ];
}

function transferIdsOf(row: Row): TransferId[] {
  const value = parseJson(row, 'transfer_ids');
  invariant(Array.isArray(value), 'column transfer_ids is not a JSON array');
  return value.map((id: unknown) => {
    invariant(typeof id === 'string', 'column transfer_ids holds a non-text id');
    return id as TransferId;
  });
}

export function ledgerEntryFromRow(row: Row): LedgerEntry {
  return {
    tenantId: textOf(row, 'tenant_id') as TenantId,
    transactionId: textOf(row, 'transaction_id'),
    sequence: numberOf(row, 'sequence'),
    status: textOf(row, 'status'),
    at: numberOf(row, 'at'),
    transferIds: transferIdsOf(row),
    details: jsonObjectOf(row, 'details'),
  };
}

/** Column values for `INSERT INTO ledger_entries (ledgerEntryColumns, committed_at)`. */
export function ledgerEntryValues(tenantId: TenantId, entry: LedgerEntryWrite, committedAt: number): SqlValue[] {
  return [
    tenantId,
    entry.transactionId,
    entry.sequence,
    entry.status,
    entry.at,
    JSON.stringify(entry.transferIds),
    JSON.stringify(entry.details),
    committedAt,
  ];
}

/**
 * Sums account balances per currency in bigint (an SQL SUM could overflow 64 bits long
 * before one account does): `debits` carries the debit sides, `credits` the credit sides.
 */
export function journalTotalsOf(rows: Iterable<Row>): Map<string, { debits: AccountBalances; credits: AccountBalances }> {
  const totals = new Map<string, { debits: AccountBalances; credits: AccountBalances }>();
  for (const row of rows) {
    const currency = textOf(row, 'currency');
    const balances = balancesFromRow(row);
    const sum = totals.get(currency) ?? { debits: zeroBalances, credits: zeroBalances };
    sum.debits = { ...sum.debits, debitsPosted: sum.debits.debitsPosted + balances.debitsPosted, debitsPending: sum.debits.debitsPending + balances.debitsPending };
    sum.credits = { ...sum.credits, creditsPosted: sum.credits.creditsPosted + balances.creditsPosted, creditsPending: sum.credits.creditsPending + balances.creditsPending };
    totals.set(currency, sum);
  }
  return totals;
}
