// How a refund is split into journal lines (R3, R4). The customer gets the refunded
// amount back from the merchant; the tax the merchant paid on it comes back from tax
// payable in proportion; the fee comes back from fee revenue in proportion when the
// tenant's policy refunds fees.
//
// Rounding rule, "cumulative floor with carry": once refunds (settled or held) total R of
// a payment of amount A carrying a charge C, floor(C × R / A) of the charge should have
// been returned. Each refund returns that target less what is already returned or held
// (never less than zero). When R reaches A the target is C itself, so the parts of any
// sequence of partial refunds — including ones that failed and released their share —
// always sum to exactly the whole charge.
//
// R counts only refunds made under a policy that returns the charge: a refund made while
// the tenant kept fees earns no fee share later, when the policy has changed to return
// them (likewise for taxes). Lost chargebacks never count: they return no share.
import { invariant } from '../invariant.ts';

export type RefundPolicy = { readonly fees: 'refund' | 'keep'; readonly taxes: 'proportional' | 'keep' };

export const defaultRefundPolicy: RefundPolicy = { fees: 'keep', taxes: 'proportional' };

export type RefundSplit = {
  /** Moved from the merchant back towards the customer. */
  readonly principalMinor: bigint;
  /** Returned to the merchant from tax payable. */
  readonly taxMinor: bigint;
  /** Returned to the merchant from fee revenue. */
  readonly feeMinor: bigint;
};

/** Refunded amounts that earn a share of the fees, and of the taxes (R4). */
export type RefundSplitBase = { readonly fees: bigint; readonly taxes: bigint };

export function cumulativeShare(chargeMinor: bigint, refundedMinor: bigint, amountMinor: bigint): bigint {
  invariant(amountMinor > 0n && refundedMinor >= 0n && refundedMinor <= amountMinor, 'share of an impossible refund');
  return (chargeMinor * refundedMinor) / amountMinor;
}

export function splitRefund(input: {
  readonly amountMinor: bigint;
  readonly feesMinor: bigint;
  readonly taxesMinor: bigint;
  /**
   * Refunded or held by the refunds before this one that were made under a policy
   * returning fees (`fees`) and taxes (`taxes`): what each charge's share is counted on.
   */
  readonly refundedBeforeMinor: RefundSplitBase;
  /** Fees and taxes already returned or held by earlier refunds. */
  readonly feesReturnedMinor: bigint;
  readonly taxesReturnedMinor: bigint;
  readonly refundMinor: bigint;
  readonly policy: RefundPolicy;
}): RefundSplit {
  const share = (charge: bigint, refundedBefore: bigint, returned: bigint): bigint => {
    const after = refundedBefore + input.refundMinor;
    invariant(after <= input.amountMinor, 'refunds above the amount');
    const owed = cumulativeShare(charge, after, input.amountMinor) - returned;
    return owed > 0n ? owed : 0n;
  };
  return {
    principalMinor: input.refundMinor,
    taxMinor: input.policy.taxes === 'proportional' ? share(input.taxesMinor, input.refundedBeforeMinor.taxes, input.taxesReturnedMinor) : 0n,
    feeMinor: input.policy.fees === 'refund' ? share(input.feesMinor, input.refundedBeforeMinor.fees, input.feesReturnedMinor) : 0n,
  };
}
