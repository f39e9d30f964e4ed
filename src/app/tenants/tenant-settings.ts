// A tenant's policy settings. Unknown settings are refused rather than ignored, so a typo
// never silently leaves a default in force.
import { z } from 'zod';
import { timelineRuleSetSchema } from '../../domain/timelines/timeline-rules.ts';
import { failureTypes } from '../../domain/interbank/failure-type.ts';
import { incidentTriggers } from '../../domain/compliance/incident.ts';

export const refundWindowDaysDefault = 180;

export const tenantSettingsSchema = z.strictObject({
  refund_window_days: z.int().min(1).max(3650).optional(),
  fee_refund_policy: z.enum(['refund', 'keep']).optional(),
  tax_refund_policy: z.enum(['proportional', 'keep']).optional(),
  /** Dispute and reversal resolution timelines (D1): `{ preset: "seed" | "cbn" }` or rules. */
  dispute_timelines: timelineRuleSetSchema.optional(),
  reversal_auto_failure_types: z.array(z.enum(failureTypes)).max(failureTypes.length).optional(),
  reversal_auto_amount_max: z.string().regex(/^[0-9]{1,15}(\.[0-9]{1,3})?$/, 'must be a decimal string such as "100000.00"').optional(),
  reversal_manual_channels: z.array(z.string().min(1).max(32)).max(20).optional(),
  reversal_manager_threshold: z.string().regex(/^[0-9]{1,15}(\.[0-9]{1,3})?$/, 'must be a decimal string such as "1000000.00"').optional(),
  /** Incident reports (D3): a failed transaction of at least this amount is significant (default "1000000"). */
  incident_amount_threshold: z.string().regex(/^[0-9]{1,15}(\.[0-9]{1,3})?$/, 'must be a decimal string such as "1000000.00"').optional(),
  /** Which significant events open an incident (default: all four). */
  incident_triggers: z.array(z.enum(incidentTriggers)).max(incidentTriggers.length).optional(),
  /** The incidents' resolution targets, in the form of `dispute_timelines` (default: the seed's T+1 above ₦1,000,000, else T+2). */
  incident_timelines: timelineRuleSetSchema.optional(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/** A change of settings: any of them, each a new value or null for its default; at least one. */
export const settingsChangeSchema = z.strictObject(
  Object.fromEntries(Object.entries(tenantSettingsSchema.shape).map(([name, schema]) => [name, schema.unwrap().nullable().optional()])) as {
    [name in keyof typeof tenantSettingsSchema.shape]: z.ZodOptional<z.ZodNullable<ReturnType<(typeof tenantSettingsSchema.shape)[name]['unwrap']>>>
  },
).refine((change) => Object.keys(change).length > 0, 'name at least one setting');
/** Settings to set, or null to return one to its default. */
export type SettingsChange = z.infer<typeof settingsChangeSchema>;
