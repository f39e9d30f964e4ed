// A tenant's reversal rules (V4) from its settings, with the documented defaults: failures
// the bank reported are reversed automatically up to 100,000.00; orphaned debits and
// customer reports always need a person; above 1,000,000.00 a manager approves.
import type { TenantId } from '../../domain/ids.ts';
import type { FailureType } from '../../domain/interbank/failure-type.ts';
import { failureTypes } from '../../domain/interbank/failure-type.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import { parseAmount } from '../../domain/money/money.ts';
import type { ReversalRules } from '../../domain/reversals/reversal-rules.ts';
import type { Dependencies } from '../dependencies.ts';
import { readTenantSettings } from '../tenants/tenants.ts';

export const reversalAutoFailureTypesDefault: readonly FailureType[] = [
  'timeout', 'status_unknown', 'routing_error', 'system_glitch', 'account_error', 'insufficient_funds', 'declined',
];
export const reversalAutoAmountMaxDefault = '100000';
export const reversalManagerThresholdDefault = '1000000';

/** A decimal-string amount setting in `currency`, else its default. */
export function amountSetting(value: unknown, fallback: string, currency: CurrencyCode): bigint {
  const parsed = parseAmount(typeof value === 'string' ? value : fallback, currency, { allowZero: true });
  if (parsed.ok) return parsed.value;
  // A threshold with more decimals than this currency has: the default applies.
  const fallbackParsed = parseAmount(fallback, currency, { allowZero: true });
  return fallbackParsed.ok ? fallbackParsed.value : 0n;
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
