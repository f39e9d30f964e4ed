// The journal lines of a captured payment (L2, P4). The card network owes us the amount
// (processor clearing, an asset); we owe the merchant the amount less fees and taxes,
// which go to fee revenue and tax payable. Every line is one balanced transfer.
import type { AccountId, TransferId } from '../ids.ts';
import type { CurrencyCode } from '../money/currencies.ts';
import type { TransferWrite } from '../journal/transfers.ts';
import { ok, refuse, type Result } from '../result.ts';

export type PaymentCharge = { readonly type: 'fee' | 'tax'; readonly amountMinor: bigint };

export const paymentChargesMax = 8;

export type PaymentAccounts = {
  readonly clearing: AccountId;
  readonly merchant: AccountId;
  readonly feeRevenue: AccountId;
  readonly taxPayable: AccountId;
  /** When given, the payment passes through the customer's account, which nets to zero. */
  readonly customer?: AccountId;
};

/** Fees and taxes are parts of the amount: together they may not exceed it. */
export function checkCharges(amountMinor: bigint, charges: readonly PaymentCharge[]): Result<null, 'invalid_fees'> {
  if (charges.length > paymentChargesMax) return refuse('invalid_fees', 'fees', `at most ${paymentChargesMax} fee and tax lines`);
  const total = charges.reduce((sum, charge) => sum + charge.amountMinor, 0n);
  if (total > amountMinor) return refuse('invalid_fees', 'fees', 'fees and taxes together exceed the amount');
  return ok(null);
}

/**
 * A payment settled to the merchant in another currency (R7): the amount leaves clearing
 * into the FX position of the payment currency and reaches the merchant from the FX
 * position of the settlement currency, converted at the recorded rate. The merchant,
 * fee revenue and tax payable accounts are then in the settlement currency, and so are
 * the converted charges.
 */
export type SettlementLines = {
  readonly currency: CurrencyCode;
  readonly amountMinor: bigint;
  readonly charges: readonly PaymentCharge[];
  readonly fxPayment: AccountId;
  readonly fxSettlement: AccountId;
};

export function capturedPaymentTransfers(input: {
  readonly transactionId: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly accounts: PaymentAccounts;
  readonly charges: readonly PaymentCharge[];
  readonly settlement?: SettlementLines;
  readonly transferId: (index: number) => TransferId;
}): TransferWrite[] {
  const { accounts, transactionId, settlement } = input;
  let index = 0;
  const line = (code: string, debit: AccountId, credit: AccountId, amountMinor: bigint, currency: CurrencyCode): TransferWrite => ({
    id: input.transferId(index++),
    kind: 'posted',
    debitAccountId: debit,
    creditAccountId: credit,
    amountMinor,
    currency,
    transactionId,
    code,
  });
  const lines: TransferWrite[] = [];
  if (settlement !== undefined) {
    lines.push(
      line('payment', accounts.clearing, settlement.fxPayment, input.amountMinor, input.currency),
      line('payment_fx', settlement.fxSettlement, accounts.merchant, settlement.amountMinor, settlement.currency),
    );
  } else if (accounts.customer === undefined) {
    lines.push(line('payment', accounts.clearing, accounts.merchant, input.amountMinor, input.currency));
  } else {
    lines.push(
      line('payment_funding', accounts.clearing, accounts.customer, input.amountMinor, input.currency),
      line('payment', accounts.customer, accounts.merchant, input.amountMinor, input.currency),
    );
  }
  for (const charge of settlement?.charges ?? input.charges) {
    if (charge.amountMinor === 0n) continue;
    const credit = charge.type === 'fee' ? accounts.feeRevenue : accounts.taxPayable;
    lines.push(line(charge.type, accounts.merchant, credit, charge.amountMinor, settlement?.currency ?? input.currency));
  }
  return lines;
}
