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

/** `principal` is absent only for a payment settled in another currency whose part converts to nothing (see RefundFxLines). */
export type RefundHoldLines = { principal?: TransferWrite; counter?: TransferWrite; tax?: TransferWrite; fee?: TransferWrite };

export type RefundLine = 'principal' | 'counter' | 'tax' | 'fee';

/**
 * For a payment settled in another currency (R7): the merchant gives back
 * `principalMinor` of the settlement currency into its FX position, and the payment
 * currency's FX position gives the refund amount back to clearing (the `counter` line).
 * When `principalMinor` is zero — an earlier part's rounding already took this part's
 * share back from the merchant — there is no merchant line, only the counter line, as
 * for a lost chargeback: each line still balances in its own currency.
 */
export type RefundFxLines = {
  readonly paymentCurrency: CurrencyCode;
  readonly principalMinor: bigint;
  readonly fxPayment: AccountId;
  readonly fxSettlement: AccountId;
};

/** `currency` is the merchant's side: the settlement currency when `fx` is given. */
export function refundHolds(input: {
  readonly transactionId: string;
  readonly refundId: string;
  readonly currency: CurrencyCode;
  readonly split: RefundSplit;
  readonly accounts: RefundAccounts;
  readonly fx?: RefundFxLines;
  readonly transferId: (line: RefundLine) => TransferId;
}): RefundHoldLines {
  const { accounts, fx } = input;
  const hold = (line: RefundLine, debit: AccountId, credit: AccountId, amountMinor: bigint, currency = input.currency): TransferWrite => ({
    id: input.transferId(line),
    kind: 'pending',
    debitAccountId: debit,
    creditAccountId: credit,
    amountMinor,
    currency,
    transactionId: input.transactionId,
    code: line === 'principal' ? 'refund' : `refund_${line}`,
    description: input.refundId,
  });
  const shares = {
    ...(input.split.taxMinor > 0n ? { tax: hold('tax', accounts.taxPayable, accounts.merchant, input.split.taxMinor) } : {}),
    ...(input.split.feeMinor > 0n ? { fee: hold('fee', accounts.feeRevenue, accounts.merchant, input.split.feeMinor) } : {}),
  };
  if (fx === undefined) return { principal: hold('principal', accounts.merchant, accounts.clearing, input.split.principalMinor), ...shares };
  return {
    ...(fx.principalMinor > 0n ? { principal: hold('principal', accounts.merchant, fx.fxSettlement, fx.principalMinor) } : {}),
    counter: hold('counter', fx.fxPayment, accounts.clearing, input.split.principalMinor, fx.paymentCurrency),
    ...shares,
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
