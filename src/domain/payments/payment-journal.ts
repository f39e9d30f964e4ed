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

export function capturedPaymentTransfers(input: {
  readonly transactionId: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly accounts: PaymentAccounts;
  readonly charges: readonly PaymentCharge[];
  readonly transferId: (index: number) => TransferId;
}): TransferWrite[] {
  const { accounts, currency, transactionId } = input;
  let index = 0;
  const line = (code: string, debit: AccountId, credit: AccountId, amountMinor: bigint): TransferWrite => ({
    id: input.transferId(index++),
    kind: 'posted',
    debitAccountId: debit,
    creditAccountId: credit,
    amountMinor,
    currency,
    transactionId,
    code,
  });
  const lines: TransferWrite[] = accounts.customer === undefined
    ? [line('payment', accounts.clearing, accounts.merchant, input.amountMinor)]
    : [
      line('payment_funding', accounts.clearing, accounts.customer, input.amountMinor),
      line('payment', accounts.customer, accounts.merchant, input.amountMinor),
    ];
  for (const charge of input.charges) {
    if (charge.amountMinor === 0n) continue;
    const credit = charge.type === 'fee' ? accounts.feeRevenue : accounts.taxPayable;
    lines.push(line(charge.type, accounts.merchant, credit, charge.amountMinor));
  }
  return lines;
}
