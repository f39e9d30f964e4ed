// Resolution timelines for disputes and failed-transaction reversals (D1). The rule set is
// configuration: the first rule whose conditions all hold decides, else the fallback.
// Working-day timelines end at the close of the Lagos business day; hour timelines are
// calendar hours from the moment the case opened, as the CBN circulars count them.
import { z } from 'zod';
import { parseAmount, parseCurrency } from '../money/money.ts';
import { workingDayAfter, workingDaysMax, type HolidayCalendar } from './holiday-calendar.ts';
import { lagosDateOf, lagosEndOf } from './lagos-dates.ts';

export const timelineHoursMax = 24 * 90;

export type Timeline =
  | { readonly kind: 'working_days'; readonly days: number }
  | { readonly kind: 'hours'; readonly hours: number };

export type TimelineRule = {
  readonly name: string;
  /** Case channels this rule covers (`nip`, `atm_on_us`, `pos`, …); absent: any channel. */
  readonly channels?: readonly string[];
  /** Failure types this rule covers; absent: any. */
  readonly failureTypes?: readonly string[];
  /** Only amounts strictly above this, in minor units of `currency`. */
  readonly amountAbove?: { readonly amountMinor: bigint; readonly currency: string };
  readonly timeline: Timeline;
};

export type TimelineRuleSet = { readonly rules: readonly TimelineRule[]; readonly fallback: Timeline };

export type TimelineCase = {
  readonly openedAt: number;
  readonly channel: string;
  readonly failureType: string;
  readonly amountMinor: bigint;
  readonly currency: string;
};

export type Deadline = { readonly rule: string; readonly timeline: Timeline; readonly dueAt: number };

/** Seed 004's rule: T+1 above ₦1,000,000, else T+2 (working days, Lagos). */
export const seedTimelineRules: TimelineRuleSet = {
  rules: [{ name: 'high_value', amountAbove: { amountMinor: 1_000_000_00n, currency: 'NGN' }, timeline: { kind: 'working_days', days: 1 } }],
  fallback: { kind: 'working_days', days: 2 },
};

/** The CBN timelines of REQUIREMENTS D1, then the seed's rule for anything else. */
export const cbnTimelineRules: TimelineRuleSet = {
  rules: [
    { name: 'nip_failed_transfer', channels: ['nip'], timeline: { kind: 'hours', hours: 24 } },
    { name: 'atm_on_us', channels: ['atm_on_us'], timeline: { kind: 'hours', hours: 24 } },
    { name: 'atm_not_on_us', channels: ['atm_not_on_us'], timeline: { kind: 'hours', hours: 48 } },
    { name: 'pos_and_web', channels: ['pos', 'web'], timeline: { kind: 'hours', hours: 72 } },
    ...seedTimelineRules.rules,
  ],
  fallback: seedTimelineRules.fallback,
};

export const timelinePresets = { seed: seedTimelineRules, cbn: cbnTimelineRules } as const;
export type TimelinePresetName = keyof typeof timelinePresets;

function matches(rule: TimelineRule, subject: TimelineCase): boolean {
  if (rule.channels !== undefined && !rule.channels.includes(subject.channel)) return false;
  if (rule.failureTypes !== undefined && !rule.failureTypes.includes(subject.failureType)) return false;
  if (rule.amountAbove !== undefined) {
    if (rule.amountAbove.currency !== subject.currency) return false;
    if (subject.amountMinor <= rule.amountAbove.amountMinor) return false;
  }
  return true;
}

export function dueAt(timeline: Timeline, openedAt: number, calendar: HolidayCalendar): number {
  switch (timeline.kind) {
    case 'hours':
      return openedAt + timeline.hours * 60 * 60 * 1000;
    case 'working_days':
      return lagosEndOf(workingDayAfter(calendar, lagosDateOf(openedAt), timeline.days));
  }
}

export function deadlineFor(rules: TimelineRuleSet, subject: TimelineCase, calendar: HolidayCalendar): Deadline {
  const rule = rules.rules.find((candidate) => matches(candidate, subject));
  const timeline = rule?.timeline ?? rules.fallback;
  return { rule: rule?.name ?? 'fallback', timeline, dueAt: dueAt(timeline, subject.openedAt, calendar) };
}

const timelineSchema = z.union([
  z.strictObject({ working_days: z.number().int().min(1).max(workingDaysMax) }),
  z.strictObject({ hours: z.number().int().min(1).max(timelineHoursMax) }),
]);
const ruleSchema = z.strictObject({
  name: z.string().min(1).max(64),
  channels: z.array(z.string().min(1).max(32)).min(1).max(32).optional(),
  failure_types: z.array(z.string().min(1).max(64)).min(1).max(32).optional(),
  amount_above: z.strictObject({ amount: z.string(), currency: z.string() }).optional(),
});

/** The configuration form: `{ preset }` or `{ rules: [...], fallback }`, amounts as decimal strings. */
export const timelineRuleSetSchema = z.union([
  z.strictObject({ preset: z.enum(['seed', 'cbn']) }),
  z.strictObject({ rules: z.array(ruleSchema.extend({ timeline: timelineSchema })).max(32), fallback: timelineSchema }),
]);
export type TimelineRuleSetConfig = z.infer<typeof timelineRuleSetSchema>;

function timelineFrom(config: z.infer<typeof timelineSchema>): Timeline {
  return 'hours' in config ? { kind: 'hours', hours: config.hours } : { kind: 'working_days', days: config.working_days };
}

/** Turns validated configuration into a rule set; an amount that does not parse is refused by field. */
export function timelineRuleSetFrom(config: TimelineRuleSetConfig): { ok: true; value: TimelineRuleSet } | { ok: false; field: string; detail: string } {
  if ('preset' in config) return { ok: true, value: timelinePresets[config.preset] };
  const rules: TimelineRule[] = [];
  for (const [index, rule] of config.rules.entries()) {
    let amountAbove: TimelineRule['amountAbove'];
    if (rule.amount_above !== undefined) {
      const field = `rules.${index}.amount_above.amount`;
      const parsed = parseCurrencyAmount(rule.amount_above.amount, rule.amount_above.currency, field);
      if (!parsed.ok) return parsed;
      amountAbove = parsed.value;
    }
    rules.push({
      name: rule.name,
      ...(rule.channels === undefined ? {} : { channels: rule.channels }),
      ...(rule.failure_types === undefined ? {} : { failureTypes: rule.failure_types }),
      ...(amountAbove === undefined ? {} : { amountAbove }),
      timeline: timelineFrom(rule.timeline),
    });
  }
  return { ok: true, value: { rules, fallback: timelineFrom(config.fallback) } };
}

function parseCurrencyAmount(amount: string, currencyText: string, field: string):
  { ok: true; value: { amountMinor: bigint; currency: string } } | { ok: false; field: string; detail: string } {
  const currencyField = field.replace(/amount$/, 'currency');
  const currency = parseCurrency(currencyText, currencyField);
  if (!currency.ok) return { ok: false, field: currencyField, detail: currency.detail ?? 'unknown currency' };
  const parsed = parseAmount(amount, currency.value, { field });
  if (!parsed.ok) return { ok: false, field, detail: parsed.detail ?? 'invalid amount' };
  return { ok: true, value: { amountMinor: parsed.value, currency: currency.value } };
}
