// Accounts of the double-entry journal: their types (L4), which side is their normal
// balance, and the balance arithmetic that every store applies identically.
import type { CurrencyCode } from '../money/currencies.ts';
import type { AccountId, TenantId } from '../ids.ts';

export const accountTypes = [
  'customer',
  'merchant',
  'processor_clearing',
  'fee_revenue',
  'tax_payable',
  'suspense',
  'reversal_clearing',
  'fx_position',
  'settlement',
] as const;
export type AccountType = (typeof accountTypes)[number];

/** Assets (what others owe us) grow with debits; liabilities and revenue grow with credits. */
export type NormalSide = 'debit' | 'credit';

export function normalSideOf(type: AccountType): NormalSide {
  switch (type) {
    case 'processor_clearing':
    case 'suspense':
    case 'reversal_clearing':
    case 'fx_position':
    case 'settlement':
      return 'debit';
    case 'customer':
    case 'merchant':
    case 'fee_revenue':
    case 'tax_payable':
      return 'credit';
  }
}

/** Customer funds must never go below zero unless the account says otherwise. */
export function defaultAllowNegative(type: AccountType): boolean {
  return type !== 'customer';
}

export type AccountBalances = {
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
};

export const zeroBalances: AccountBalances = {
  debitsPosted: 0n,
  creditsPosted: 0n,
  debitsPending: 0n,
  creditsPending: 0n,
};

export type AccountDefinition = {
  readonly id: AccountId;
  readonly tenantId: TenantId;
  readonly type: AccountType;
  readonly currency: CurrencyCode;
  readonly name: string;
  readonly allowNegative: boolean;
};

export type Account = AccountDefinition & AccountBalances & {
  readonly normalSide: NormalSide;
  readonly createdAt: number;
};

/** Balances as a person reads them, on the account's normal side. */
export function readableBalances(account: Pick<Account, 'type'> & AccountBalances): {
  posted: bigint;
  pending: bigint;
  available: bigint;
} {
  const normal = normalSideOf(account.type);
  const posted = normal === 'credit'
    ? account.creditsPosted - account.debitsPosted
    : account.debitsPosted - account.creditsPosted;
  const pendingIn = normal === 'credit' ? account.creditsPending : account.debitsPending;
  const pendingOut = normal === 'credit' ? account.debitsPending : account.creditsPending;
  return { posted, pending: pendingIn - pendingOut, available: posted - pendingOut };
}

/**
 * An account that forbids a negative balance may not let its outgoing side (posted plus
 * pending) exceed its posted incoming side: the TigerBeetle rule, which keeps a hold from
 * spending money that is not there.
 */
export function breaksBalanceLimit(account: Pick<Account, 'type' | 'allowNegative'> & AccountBalances): boolean {
  if (account.allowNegative) return false;
  return normalSideOf(account.type) === 'credit'
    ? account.debitsPosted + account.debitsPending > account.creditsPosted
    : account.creditsPosted + account.creditsPending > account.debitsPosted;
}
