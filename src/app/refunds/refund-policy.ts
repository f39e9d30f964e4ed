// A tenant's refund policy (R2, R4) from its settings, with the documented defaults:
// a 180-day window, fees kept, taxes returned in proportion.
import type { TenantId } from '../../domain/ids.ts';
import { refundWindowDaysDefault } from '../../domain/refunds/refund-eligibility.ts';
import { defaultRefundPolicy, type RefundPolicy } from '../../domain/refunds/refund-split.ts';
import type { Dependencies } from '../dependencies.ts';
import { readTenantSettings } from '../tenants/tenants.ts';

export type TenantRefundPolicy = RefundPolicy & { readonly windowDays: number };

export async function refundPolicyOf(deps: Pick<Dependencies, 'store'>, tenantId: TenantId): Promise<TenantRefundPolicy> {
  const settings = await readTenantSettings(deps, tenantId);
  const window = settings['refund_window_days'];
  const fees = settings['fee_refund_policy'];
  const taxes = settings['tax_refund_policy'];
  return {
    windowDays: typeof window === 'number' ? window : refundWindowDaysDefault,
    fees: fees === 'refund' || fees === 'keep' ? fees : defaultRefundPolicy.fees,
    taxes: taxes === 'proportional' || taxes === 'keep' ? taxes : defaultRefundPolicy.taxes,
  };
}
