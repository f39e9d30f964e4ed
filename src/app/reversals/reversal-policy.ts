// A tenant's reversal rules (V4) from its settings, with the documented defaults: failures
// the bank reported are reversed automatically up to 100,000.00; orphaned debits and
// customer reports always need a person; above 1,000,000.00 a manager approves.
import type { TenantId } from '../../domain/ids.ts';
import type { FailureType } from '../../domain/interbank/failure-type.ts';
import { failureTypes } from '../../domain/interbank/failure-type.ts';
import { currencyExponent, type CurrencyCode } from '../../domain/money/currencies.ts';
import { parseAmount } from '../../domain/money/money.ts';
import type { ReversalRules } from '../../domain/reversals/reversal-rules.ts';
import type { Dependencies } from '../dependencies.ts';
import { readTenantSettings } from '../tenants/tenants.ts';

export const reversalAutoFailureTypesDefault: readonly FailureType[] = [
  'timeout', 'status_unknown', 'routing_error', 'system_glitch', 'account_error', 'insufficient_funds', 'declined',
];
export const reversalAutoAmountMaxDefault = '100000';
export const reversalManagerThresholdDefault = '1000000';

/**
 * A decimal-string amount setting in `currency` (its default when unset). Settings are
 * written once per tenant, in no particular currency, with up to three decimals, and read
 * for each currency: digits past this currency's minor unit are dropped ("10000.00" is
 * ¥10,000; "10.509" is ₦10.50), which never loosens a limit. A value that still cannot be
 * read (the settings schema lets none through) is 0, the strictest limit, never the default.
 */
export function amountSetting(value: unknown, fallback: string, currency: CurrencyCode): bigint {
  const parsed = parseAmount(withinMinorUnit(typeof value === 'string' ? value : fallback, currency), currency, { allowZero: true });
  return parsed.ok ? parsed.value : 0n;
}

function withinMinorUnit(text: string, currency: CurrencyCode): string {
  const match = /^([0-9]+)\.([0-9]+)$/.exec(text);
  if (match === null) return text;
  const [, whole = '', fraction = ''] = match;
  const kept = fraction.slice(0, currencyExponent(currency));
  return kept === '' ? whole : `${whole}.${kept}`;
}

const isFailureType = (value: unknown): value is FailureType => typeof value === 'string' && (failureTypes as readonly string[]).includes(value);

export async function reversalRulesOf(deps: Pick<Dependencies, 'store'>, tenantId: TenantId, currency: CurrencyCode): Promise<ReversalRules> {
  const settings = await readTenantSettings(deps, tenantId);
  const types = settings['reversal_auto_failure_types'];
  const channels = settings['reversal_manual_channels'];
  return {
    autoFailureTypes: Array.isArray(types) ? types.filter(isFailureType) : reversalAutoFailureTypesDefault,
    autoAmountMaxMinor: amountSetting(settings['reversal_auto_amount_max'], reversalAutoAmountMaxDefault, currency),
    manualChannels: Array.isArray(channels) ? channels.filter((channel): channel is string => typeof channel === 'string') : [],
    managerThresholdMinor: amountSetting(settings['reversal_manager_threshold'], reversalManagerThresholdDefault, currency),
  };
}
