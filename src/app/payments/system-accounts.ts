// The tenant's system accounts that payments post to, one per currency (and processor
// for clearing). They are created by the first changeset that needs them.
import { defaultAllowNegative, type AccountDefinition, type AccountType } from '../../domain/journal/accounts.ts';
import type { AccountId, TenantId } from '../../domain/ids.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import type { Store } from '../ports/store.ts';

export function systemAccountId(type: AccountType, currency: CurrencyCode, qualifier?: string): AccountId {
  return `sys:${type}${qualifier === undefined ? '' : `:${qualifier}`}:${currency}` as AccountId;
}

function systemAccount(tenantId: TenantId, type: AccountType, currency: CurrencyCode, qualifier?: string): AccountDefinition {
  const id = systemAccountId(type, currency, qualifier);
  return { id, tenantId, type, currency, name: id, allowNegative: defaultAllowNegative(type) };
}

export function paymentSystemAccounts(tenantId: TenantId, currency: CurrencyCode, processorId: string): {
  clearing: AccountDefinition; merchant: AccountDefinition; feeRevenue: AccountDefinition; taxPayable: AccountDefinition;
} {
  return {
    clearing: systemAccount(tenantId, 'processor_clearing', currency, processorId),
    merchant: systemAccount(tenantId, 'merchant', currency, 'default'),
    feeRevenue: systemAccount(tenantId, 'fee_revenue', currency),
    taxPayable: systemAccount(tenantId, 'tax_payable', currency),
  };
}

/** The FX positions a payment settled in another currency passes through (R7), one per currency. */
export function fxSystemAccounts(tenantId: TenantId, paymentCurrency: CurrencyCode, settlementCurrency: CurrencyCode): { fxPayment: AccountDefinition; fxSettlement: AccountDefinition } {
  return { fxPayment: systemAccount(tenantId, 'fx_position', paymentCurrency), fxSettlement: systemAccount(tenantId, 'fx_position', settlementCurrency) };
}

/** The definitions among `wanted` that do not exist yet, to create in the same changeset. */
export async function missingAccounts(store: Store, tenantId: TenantId, wanted: readonly AccountDefinition[]): Promise<AccountDefinition[]> {
  const found = await store.getAccounts(tenantId, wanted.map((definition) => definition.id));
  const unique = new Map(wanted.map((definition) => [definition.id, definition]));
  return [...unique.values()].filter((definition) => !found.has(definition.id));
}
