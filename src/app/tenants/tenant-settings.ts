// A tenant's policy settings. Unknown settings are refused rather than ignored, so a typo
// never silently leaves a default in force.
import { z } from 'zod';
import { timelineRuleSetSchema } from '../../domain/timelines/timeline-rules.ts';

export const refundWindowDaysDefault = 180;

export const tenantSettingsSchema = z.strictObject({
  refund_window_days: z.int().min(1).max(3650).optional(),
  fee_refund_policy: z.enum(['refund', 'keep']).optional(),
  tax_refund_policy: z.enum(['proportional', 'keep']).optional(),
  /** Dispute and reversal resolution timelines (D1): `{ preset: "seed" | "cbn" }` or rules. */
  dispute_timelines: timelineRuleSetSchema.optional(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;
