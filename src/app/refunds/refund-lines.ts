// The journal lines a refund holds (R3, R4, R7): the split of fee and tax by the tenant's
// policy, and — for a payment settled in another currency — the settlement-currency
// amount taken back from the merchant at the payment's recorded rate, converted
// cumulatively so that a payment refunded in parts returns exactly what it settled.
import type { TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { convertMinor } from '../../domain/money/fx.ts';
import type { TransferWrite } from '../../domain/journal/transfers.ts';
import type { PaymentCharge } from '../../domain/payments/payment-journal.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import { refundHolds, type RefundHoldLines } from '../../domain/refunds/refund-journal.ts';
import { splitRefund, type RefundPolicy, type RefundSplit, type RefundSplitBase } from '../../domain/refunds/refund-split.ts';
import type { Dependencies } from '../dependencies.ts';
import { settlementCharges, settlementPart } from '../payments/fx-settlement.ts';
import type { Payment } from '../payments/payment-record.ts';
import { fxSystemAccounts, paymentSystemAccounts } from '../payments/system-accounts.ts';
import { refundFromRecord, refundKind, returnsShares, type Refund, type RefundHolds, type RefundSettlement, type RefundStatus } from './refund-record.ts';

export type RefundLines = {
  readonly split: RefundSplit;
  readonly holds: RefundHolds;
  readonly transfers: readonly TransferWrite[];
  readonly settlement?: RefundSettlement;
};

/** Refunded or held for pending refunds: what refunds took, on which their fee and tax shares are counted (R4). */
export function refundsMinor(payment: Payment): bigint {
  return payment.refundedMinor + payment.refundsHeldMinor;
}

/** Refunded, held for pending refunds, or lost to chargebacks: what can no longer go back. */
export function movedOutMinor(payment: Payment): bigint {
  return refundsMinor(payment) + payment.chargebacksLostMinor;
}

function total(charges: readonly PaymentCharge[], type: 'fee' | 'tax'): bigint {
  return charges.filter((charge) => charge.type === type).reduce((sum, charge) => sum + charge.amountMinor, 0n);
}

function holdIdsOf(lines: RefundHoldLines): RefundHolds {
  return {
    ...(lines.principal === undefined ? {} : { principal: lines.principal.id }),
    ...(lines.counter === undefined ? {} : { counter: lines.counter.id }),
    ...(lines.tax === undefined ? {} : { tax: lines.tax.id }),
    ...(lines.fee === undefined ? {} : { fee: lines.fee.id }),
  };
}

/** Refunds a refund's status counts: settled, or held while the processor answers. */
const countedStatuses: readonly RefundStatus[] = ['REFUND-PENDING', 'REFUND-SUCCESS'];

/**
 * R4: what the payment's refunds (settled or held) took under a policy returning fees,
 * and under one returning taxes — what a new refund's fee and tax shares are counted on.
 * Read in the decision of the payment's version it commits against: a refund settling,
 * failing or rolled back meanwhile writes the payment, so the commit conflicts and runs again.
 */
export async function refundedUnderPolicies(deps: Pick<Dependencies, 'store'>, payment: Payment): Promise<RefundSplitBase> {
  const records = await Promise.all(payment.refundIds.map((id) => deps.store.getRecord(payment.tenantId, refundKind, id)));
  let fees = 0n;
  let taxes = 0n;
  for (const record of records) {
    invariant(record !== null, `a refund of payment ${payment.transactionId} vanished`);
    const refund = refundFromRecord(record);
    if (!countedStatuses.includes(refund.status)) continue;
    const returns = returnsShares(refund);
    if (returns.fees) fees += refund.amountMinor;
    if (returns.taxes) taxes += refund.amountMinor;
  }
  return { fees, taxes };
}

export function refundLines(
  deps: Dependencies, payment: Payment, refundId: string, amountMinor: bigint, policy: RefundPolicy, refundedBefore: RefundSplitBase,
): Result<RefundLines, 'refund_too_small'> {
  const { settlement, tenantId } = payment;
  const charges = settlement === undefined ? payment.charges : settlementCharges(payment.charges, payment.currency, settlement);
  // A lost chargeback returns no fee or tax share (chargebacks.ts), so the cumulative share
  // counts refunds only: otherwise a refund after a lost chargeback would hand back the
  // chargeback's share too, and the fee and tax returned would depend on the order. And
  // only refunds made under a policy returning the charge (refundedUnderPolicies).
  const split = splitRefund({
    amountMinor: payment.capturedMinor, feesMinor: total(charges, 'fee'), taxesMinor: total(charges, 'tax'),
    refundedBeforeMinor: refundedBefore, feesReturnedMinor: payment.feesReturnedMinor, taxesReturnedMinor: payment.taxesReturnedMinor,
    refundMinor: amountMinor, policy,
  });
  const merchantSide = paymentSystemAccounts(tenantId, settlement?.currency ?? payment.currency, payment.processorId);
  const clearing = paymentSystemAccounts(tenantId, payment.currency, payment.processorId).clearing;
  let fx: Parameters<typeof refundHolds>[0]['fx'];
  let refundSettlement: RefundSettlement | undefined;
  if (settlement !== undefined) {
    const principalMinor = settlementPart(settlement, payment.currency, amountMinor, movedOutMinor(payment));
    // A part whose share an earlier part's rounding already took back moves nothing in the
    // settlement currency: no merchant line, only the counter line (as for a lost
    // chargeback), so the rest of a payment can always be refunded. Refused is only a
    // refund that is not the rest and is itself worth less than one settlement minor unit.
    const restMinor = payment.capturedMinor - movedOutMinor(payment) - amountMinor;
    if (principalMinor === 0n && restMinor > 0n && convertMinor(amountMinor, payment.currency, settlement.currency, settlement.rate) === 0n) {
      return refuse('refund_too_small', 'amount', `converts to nothing in ${settlement.currency} at ${settlement.rate.text}`);
    }
    const accounts = fxSystemAccounts(tenantId, payment.currency, settlement.currency);
    fx = { paymentCurrency: payment.currency, principalMinor, fxPayment: accounts.fxPayment.id, fxSettlement: accounts.fxSettlement.id };
    refundSettlement = { currency: settlement.currency, amountMinor: principalMinor, rate: settlement.rate.text };
  }
  const base = deps.ids.next('trf');
  const lines = refundHolds({
    transactionId: payment.transactionId, refundId, currency: settlement?.currency ?? payment.currency, split,
    accounts: { clearing: clearing.id, merchant: payment.merchantAccountId, feeRevenue: merchantSide.feeRevenue.id, taxPayable: merchantSide.taxPayable.id },
    ...(fx === undefined ? {} : { fx }),
    transferId: (line) => `${base}.${line}` as TransferId,
  });
  const transfers = [lines.principal, lines.counter, lines.tax, lines.fee].filter((line): line is TransferWrite => line !== undefined);
  return ok({ split, holds: holdIdsOf(lines), transfers, ...(refundSettlement === undefined ? {} : { settlement: refundSettlement }) });
}

/** The payment while a refund is held: its amount, fee and tax shares can no longer be taken. */
export function paymentHolding(payment: Payment, refund: Refund, at: number): Payment {
  return {
    ...payment, version: payment.version + 1, updatedAt: at,
    refundsHeldMinor: payment.refundsHeldMinor + refund.amountMinor,
    feesReturnedMinor: payment.feesReturnedMinor + refund.feeMinor,
    taxesReturnedMinor: payment.taxesReturnedMinor + refund.taxMinor,
    refundIds: [...payment.refundIds, refund.refundId],
    ...(payment.settlement === undefined ? {} : {
      settlement: { ...payment.settlement, movedMinor: payment.settlement.movedMinor + (refund.settlement?.amountMinor ?? 0n) },
    }),
  };
}

/** Gives back what a failed or rolled-back refund took from the payment's settlement running total. */
export function releasedSettlement(payment: Payment, refund: Refund): Pick<Payment, 'settlement'> {
  if (payment.settlement === undefined) return {};
  return { settlement: { ...payment.settlement, movedMinor: payment.settlement.movedMinor - (refund.settlement?.amountMinor ?? 0n) } };
}
