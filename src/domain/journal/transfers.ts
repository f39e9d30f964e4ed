// Transfers: the only way money moves (L2, L3). A transfer debits one account and credits
// another by one amount in one currency. Pending transfers are holds that are later
// posted (in full or in part) or voided, each exactly once.
import type { CurrencyCode } from '../money/currencies.ts';
import type { AccountId, TenantId, TransferId } from '../ids.ts';
import { invariant } from '../invariant.ts';
import type { AccountBalances } from './accounts.ts';

export const transferKinds = ['posted', 'pending', 'post_pending', 'void_pending'] as const;
export type TransferKind = (typeof transferKinds)[number];

/** What a use case asks the store to append. */
export type TransferWrite = {
  readonly id: TransferId;
  readonly kind: TransferKind;
  readonly debitAccountId: AccountId;
  readonly creditAccountId: AccountId;
  /** For post_pending: the amount posted (≤ the pending amount); for void_pending: the pending amount. */
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  /** For post_pending and void_pending: the pending transfer it resolves. */
  readonly pendingId?: TransferId;
  /** The pending amount released by a post or void (the whole hold, whatever is posted). */
  readonly pendingAmountMinor?: bigint;
  /** The business transaction this transfer belongs to (a payment's TransactionID, …). */
  readonly transactionId?: string;
  /** What the money is for: payment, fee, tax, refund, reversal, correction, … */
  readonly code: string;
  /** A transfer that corrects another points at it; the original stays as it was. */
  readonly correctsTransferId?: TransferId;
  readonly description?: string;
};

/** A transfer as stored, with the sequence and time the store gave it. */
export type Transfer = TransferWrite & {
  readonly tenantId: TenantId;
  readonly sequence: bigint;
  readonly committedAt: number;
};

/** The change a transfer makes to the balances of its debit and credit accounts. */
export type BalanceDelta = {
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
};

export function balanceDeltas(transfer: TransferWrite): { debit: BalanceDelta; credit: BalanceDelta } {
  const amount = transfer.amountMinor;
  const released = transfer.pendingAmountMinor ?? 0n;
  switch (transfer.kind) {
    case 'posted':
      return {
        debit: { debitsPosted: amount, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n },
        credit: { debitsPosted: 0n, creditsPosted: amount, debitsPending: 0n, creditsPending: 0n },
      };
    case 'pending':
      return {
        debit: { debitsPosted: 0n, creditsPosted: 0n, debitsPending: amount, creditsPending: 0n },
        credit: { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: amount },
      };
    case 'post_pending':
      return {
        debit: { debitsPosted: amount, creditsPosted: 0n, debitsPending: -released, creditsPending: 0n },
        credit: { debitsPosted: 0n, creditsPosted: amount, debitsPending: 0n, creditsPending: -released },
      };
    case 'void_pending':
      return {
        debit: { debitsPosted: 0n, creditsPosted: 0n, debitsPending: -released, creditsPending: 0n },
        credit: { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: -released },
      };
  }
}

export function applyDelta(balances: AccountBalances, delta: BalanceDelta): AccountBalances {
  return {
    debitsPosted: balances.debitsPosted + delta.debitsPosted,
    creditsPosted: balances.creditsPosted + delta.creditsPosted,
    debitsPending: balances.debitsPending + delta.debitsPending,
    creditsPending: balances.creditsPending + delta.creditsPending,
  };
}

/** Shape checks every store runs before applying a transfer; a failure here is a bug upstream. */
export function assertTransferShape(transfer: TransferWrite): void {
  invariant(transfer.debitAccountId !== transfer.creditAccountId, `transfer ${transfer.id} debits and credits one account`);
  invariant(transfer.amountMinor >= 0n, `transfer ${transfer.id} has a negative amount`);
  const resolves = transfer.kind === 'post_pending' || transfer.kind === 'void_pending';
  invariant(resolves === (transfer.pendingId !== undefined), `transfer ${transfer.id}: pendingId goes with post/void only`);
  invariant(resolves === (transfer.pendingAmountMinor !== undefined), `transfer ${transfer.id}: pendingAmountMinor goes with post/void only`);
  if (transfer.kind === 'post_pending') {
    invariant(transfer.amountMinor <= (transfer.pendingAmountMinor ?? 0n), `transfer ${transfer.id} posts more than is pending`);
  }
  if (transfer.kind === 'void_pending') {
    invariant(transfer.amountMinor === transfer.pendingAmountMinor, `transfer ${transfer.id} voids a different amount than is pending`);
  }
  if (transfer.kind === 'posted' || transfer.kind === 'pending') {
    invariant(transfer.amountMinor > 0n, `transfer ${transfer.id} moves nothing`);
  }
}

/** A post or void must name a pending transfer between the same accounts, in its currency, for its whole amount. */
export function resolvesPending(pending: Pick<TransferWrite, 'kind' | 'debitAccountId' | 'creditAccountId' | 'currency' | 'amountMinor'>, resolution: TransferWrite): boolean {
  return pending.kind === 'pending'
    && pending.debitAccountId === resolution.debitAccountId
    && pending.creditAccountId === resolution.creditAccountId
    && pending.currency === resolution.currency
    && pending.amountMinor === resolution.pendingAmountMinor;
}
