// Calendar use cases (D1): the effective holidays of a year, setting and withdrawing
// overrides (admin, audited), and the resolution deadline the tenant's timeline rules
// give a case — the same computation disputes and reversals use.
import type { TenantId } from '../../domain/ids.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import { parseAmount, parseCurrency } from '../../domain/money/money.ts';
import { isCalendarDate, lagosDateOf, nextCalendarDate, yearOf, type CalendarDate } from '../../domain/timelines/lagos-dates.ts';
import { deadlineFor, seedTimelineRules, timelineRuleSetFrom, timelineRuleSetSchema, type TimelineCase, type TimelineRuleSet } from '../../domain/timelines/timeline-rules.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { Dependencies } from '../dependencies.ts';
import { decideAndCommit } from '../shared/commit.ts';
import type { Reply } from '../shared/reply.ts';
import { readTenantSettings } from '../tenants/tenants.ts';
import { activeOverrides, holidayOverrideKind, overrideFromRecord, overrideWrite, tenantCalendar } from './holiday-overrides.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** The tenant's timeline rules: its `dispute_timelines` setting (or another rule-set setting), else the seed's rule. */
export async function tenantTimelineRules(
  deps: Pick<Dependencies, 'store'>, tenantId: TenantId, setting: 'dispute_timelines' | 'incident_timelines' = 'dispute_timelines',
): Promise<TimelineRuleSet> {
  const configured = timelineRuleSetSchema.safeParse((await readTenantSettings(deps, tenantId))[setting]);
  if (!configured.success) return seedTimelineRules;
  const rules = timelineRuleSetFrom(configured.data);
  return rules.ok ? rules.value : seedTimelineRules;
}

export async function listHolidays(deps: Dependencies, principal: TenantPrincipal, year: number): Promise<Result<Reply, never>> {
  const calendar = await tenantCalendar(deps, principal.tenantId, { fromYear: year, toYear: year });
  const overrides = (await activeOverrides(deps, principal.tenantId)).filter((override) => override.date.startsWith(`${year}-`));
  const holidays: { date: string; name: string; source: string }[] = [];
  for (let day: CalendarDate = `${year}-01-01`; day.startsWith(`${year}-`); day = nextCalendarDate(day)) {
    const name = calendar.holidayOn(day);
    if (name !== null) holidays.push({ date: day, name, source: overrides.some((override) => override.date === day) ? 'override' : 'computed' });
  }
  return ok({
    statusCode: 200,
    body: {
      message: 'Public holidays found.', status: 'ok', year, data: holidays,
      overrides: overrides.map((override) => ({ date: override.date, action: override.action, name: override.name, set_by: override.setBy })),
    },
  });
}

export type OverrideInput = { readonly date: string; readonly action: 'add' | 'remove'; readonly name: string };

export async function setHolidayOverride(deps: Dependencies, principal: TenantPrincipal, input: OverrideInput): Promise<Result<Reply, 'invalid_request' | 'conflict' | 'insufficient_funds'>> {
  if (!isCalendarDate(input.date)) return refuse('invalid_request', 'date', 'must be a calendar date YYYY-MM-DD');
  return decideAndCommit(deps.store, async () => {
    const existing = await deps.store.getRecord(principal.tenantId, holidayOverrideKind, input.date);
    const at = deps.clock.now();
    const initiator = initiatorOf(principal);
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: 'calendar', action: 'calendar.override_set', initiator, status: input.action, reason: input.name,
      details: { query: { date: input.date, action: input.action, name: input.name } },
    });
    const reply: Reply = { statusCode: 200, body: { message: 'The holiday override is in force.', status: input.action, date: input.date, name: input.name } };
    const write = overrideWrite({ date: input.date, action: input.action, name: input.name, withdrawn: false, setBy: initiator }, existing?.version ?? 0);
    return { ok: true, value: reply, changeset: { tenantId: principal.tenantId, at, records: [write], audit: [audit] } };
  });
}

export async function withdrawHolidayOverride(
  deps: Dependencies, principal: TenantPrincipal, date: string,
): Promise<Result<Reply, 'holiday_override_not_found' | 'conflict' | 'insufficient_funds'>> {
  return decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(principal.tenantId, holidayOverrideKind, date);
    const override = record === null ? null : overrideFromRecord(record);
    if (override === null || override.withdrawn) return refuse('holiday_override_not_found', 'date');
    const at = deps.clock.now();
    const initiator = initiatorOf(principal);
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: 'calendar', action: 'calendar.override_withdrawn', initiator, status: 'withdrawn', reason: override.name,
      details: { query: { date } },
    });
    const reply: Reply = { statusCode: 200, body: { message: 'The holiday override is withdrawn.', status: 'withdrawn', date } };
    return { ok: true, value: reply, changeset: { tenantId: principal.tenantId, at, records: [overrideWrite({ ...override, withdrawn: true, setBy: initiator }, override.version)], audit: [audit] } };
  });
}

export type DeadlineInput = { readonly openedAt: string; readonly channel: string; readonly failureType: string; readonly amount: string; readonly currency: string };

export async function computeDeadline(
  deps: Dependencies, principal: TenantPrincipal, input: DeadlineInput,
): Promise<Result<Reply, 'invalid_request' | 'invalid_amount' | 'invalid_currency'>> {
  const openedAt = Date.parse(input.openedAt);
  if (!Number.isFinite(openedAt)) return refuse('invalid_request', 'opened_at', 'must be an ISO 8601 time');
  const currency = parseCurrency(input.currency);
  if (!currency.ok) return currency;
  const amount = parseAmount(input.amount, currency.value);
  if (!amount.ok) return amount;
  const subject: TimelineCase = { openedAt, channel: input.channel, failureType: input.failureType, amountMinor: amount.value, currency: currency.value };
  const year = yearOf(lagosDateOf(openedAt));
  const [calendar, rules] = await Promise.all([tenantCalendar(deps, principal.tenantId, { fromYear: year, toYear: year + 1 }), tenantTimelineRules(deps, principal.tenantId)]);
  const deadline = deadlineFor(rules, subject, calendar);
  const timeline = deadline.timeline.kind === 'hours' ? { hours: deadline.timeline.hours } : { working_days: deadline.timeline.days };
  return ok({
    statusCode: 200,
    body: { message: 'Deadline computed.', status: 'ok', rule: deadline.rule, timeline, opened_at: new Date(openedAt).toISOString(), due_at: new Date(deadline.dueAt).toISOString() },
  });
}
