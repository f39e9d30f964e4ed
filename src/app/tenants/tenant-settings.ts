// A tenant's policy settings. Unknown settings are refused rather than ignored, so a typo
// never silently leaves a default in force.
import { z } from 'zod';

export const refundWindowDaysDefault = 180;

export const tenantSettingsSchema = z.strictObject({
  refund_window_days: z.int().min(1).max(3650).optional(),
  fee_refund_policy: z.enum(['refund', 'keep']).optional(),
  tax_refund_policy: z.enum(['proportional', 'keep']).optional(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;
