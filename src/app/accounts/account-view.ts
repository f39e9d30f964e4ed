// How accounts and their transfers look on the wire: decimal strings in major units,
// balances on the account's normal side.
import { readableBalances, type Account, type AccountBalances } from '../../domain/journal/accounts.ts';
import type { Transfer } from '../../domain/journal/transfers.ts';
import { formatAmount } from '../../domain/money/money.ts';
import type { JsonObject } from '../ports/store.ts';

export function balancesView(account: Account, balances: AccountBalances = account): JsonObject {
  const readable = readableBalances({ type: account.type, ...balances });
  const format = (amountMinor: bigint): string => formatAmount(amountMinor, account.currency);
  return {
    posted: format(readable.posted),
    pending: format(readable.pending),
    available: format(readable.available),
    debits_posted: format(balances.debitsPosted),
    credits_posted: format(balances.creditsPosted),
    debits_pending: format(balances.debitsPending),
    credits_pending: format(balances.creditsPending),
  };
}

export function accountView(account: Account): JsonObject {
  return {
    account_id: account.id,
    type: account.type,
    currency: account.currency,
    name: account.name,
    allow_negative: account.allowNegative,
    normal_side: account.normalSide,
    balances: balancesView(account),
    created_at: new Date(account.createdAt).toISOString(),
  };
}

export function transferView(transfer: Transfer, accountId?: string): JsonObject {
  return {
    transfer_id: transfer.id,
    sequence: transfer.sequence.toString(),
    kind: transfer.kind,
    code: transfer.code,
    amount: formatAmount(transfer.amountMinor, transfer.currency),
    currency: transfer.currency,
    debit_account_id: transfer.debitAccountId,
    credit_account_id: transfer.creditAccountId,
    ...(accountId === undefined ? {} : { direction: transfer.debitAccountId === accountId ? 'debit' : 'credit' }),
    ...(transfer.pendingId === undefined ? {} : { pending_id: transfer.pendingId }),
    ...(transfer.transactionId === undefined ? {} : { transaction_id: transfer.transactionId }),
    ...(transfer.correctsTransferId === undefined ? {} : { corrects_transfer_id: transfer.correctsTransferId }),
    committed_at: new Date(transfer.committedAt).toISOString(),
  };
}
