// The journal lines of a refund (R3–R5, L3): held first (pending transfers), then posted
// when the processor confirms or voided when it declines. The merchant gives back the
// principal towards the card network; tax payable and fee revenue give back their shares
// to the merchant. Every line is one balanced transfer of the payment's currency.
import type { AccountId, TransferId } from '../ids.ts';
import type { CurrencyCode } from '../money/currencies.ts';
import type { Transfer, TransferWrite } from '../journal/transfers.ts';
import type { RefundSplit } from './refund-split.ts';

export type RefundAccounts = {
  readonly clearing: AccountId;
  readonly merchant: AccountId;
  readonly feeRevenue: AccountId;
  readonly taxPayable: AccountId;
};

export type RefundHoldLines = { principal: TransferWrite; tax?: TransferWrite; fee?: TransferWrite };

export function refundHolds(input: {
  readonly transactionId: string;
  readonly refundId: string;
  readonly currency: CurrencyCode;
  readonly split: RefundSplit;
  readonly accounts: RefundAccounts;
  readonly transferId: (line: 'principal' | 'tax' | 'fee') => TransferId;
}): RefundHoldLines {
  const { accounts } = input;
  const hold = (line: 'principal' | 'tax' | 'fee', debit: AccountId, credit: AccountId, amountMinor: bigint): TransferWrite => ({
    id: input.transferId(line),
    kind: 'pending',
    debitAccountId: debit,
    creditAccountId: credit,
    amountMinor,
    currency: input.currency,
    transactionId: input.transactionId,
    code: line === 'principal' ? 'refund' : `refund_${line}`,
    description: input.refundId,
  });
  return {
    principal: hold('principal', accounts.merchant, accounts.clearing, input.split.principalMinor),
    ...(input.split.taxMinor > 0n ? { tax: hold('tax', accounts.taxPayable, accounts.merchant, input.split.taxMinor) } : {}),
    ...(input.split.feeMinor > 0n ? { fee: hold('fee', accounts.feeRevenue, accounts.merchant, input.split.feeMinor) } : {}),
  };
}

/** Posts a hold in full, or voids it: the one transfer that resolves it, exactly once. */
export function resolveHold(hold: Transfer, kind: 'post_pending' | 'void_pending', id: TransferId): TransferWrite {
  return {
    id,
    kind,
    debitAccountId: hold.debitAccountId,
    creditAccountId: hold.creditAccountId,
    amountMinor: hold.amountMinor,
    currency: hold.currency,
    pendingId: hold.id,
    pendingAmountMinor: hold.amountMinor,
    ...(hold.transactionId === undefined ? {} : { transactionId: hold.transactionId }),
    code: hold.code,
    ...(hold.description === undefined ? {} : { description: hold.description }),
  };
}

/** A compensating transfer for a posted one (R8): the same amount the other way, pointing at it. */
export function compensate(original: Transfer, id: TransferId): TransferWrite {
  return {
    id,
    kind: 'posted',
    debitAccountId: original.creditAccountId,
    creditAccountId: original.debitAccountId,
    amountMinor: original.amountMinor,
    currency: original.currency,
    ...(original.transactionId === undefined ? {} : { transactionId: original.transactionId }),
    code: `${original.code}_rollback`,
    correctsTransferId: original.id,
    ...(original.description === undefined ? {} : { description: original.description }),
  };
}
