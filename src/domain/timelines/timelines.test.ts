// Working-day deadlines in Lagos time, timeline rules and penalty exposure (D1), against a
// holiday source given here so that every case is explicit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holidayCalendar, workingDayAfter, type Holiday } from './holiday-calendar.ts';
import { lagosDateOf, lagosEndOf, lagosStartOf } from './lagos-dates.ts';
import { cbnTimelineRules, deadlineFor, seedTimelineRules, timelineRuleSetFrom, timelineRuleSetSchema, type TimelineCase } from './timeline-rules.ts';
import { defaultPenaltyPolicy, penaltyExposureMinor } from './penalty-exposure.ts';

const hourMs = 60 * 60 * 1000;
/** An instant given in Lagos wall-clock time. */
const wat = (local: string): number => Date.parse(`${local}+01:00`);
const easter2025: Holiday[] = [{ date: '2025-04-18', name: 'Good Friday' }, { date: '2025-04-21', name: 'Easter Monday' }];
const calendar = holidayCalendar((year) => (year === 2025 ? easter2025 : []));

describe('Lagos calendar dates', () => {
  it('changes date at midnight West Africa Time, not at midnight UTC', () => {
    assert.equal(lagosDateOf(Date.parse('2025-03-28T22:59:59.999Z')), '2025-03-28');
    assert.equal(lagosDateOf(Date.parse('2025-03-28T23:00:00.000Z')), '2025-03-29');
    assert.equal(lagosStartOf('2025-03-29'), Date.parse('2025-03-28T23:00:00.000Z'));
    assert.equal(lagosEndOf('2025-03-28'), Date.parse('2025-03-28T22:59:59.999Z'));
  });
  it('agrees with the time-zone database for Africa/Lagos over two years', () => {
    const format = new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Lagos', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let at = Date.parse('2025-01-01T00:00:00Z'); at < Date.parse('2027-01-01T00:00:00Z'); at += 7 * hourMs + 13 * 60_000) {
      assert.equal(lagosDateOf(at), format.format(at), new Date(at).toISOString());
    }
  });
});

describe('working days', () => {
  const cases: [string, string, number, string][] = [
    ['a Friday, T+1, is the next Monday', '2026-11-27', 1, '2026-11-30'],
    ['a Friday, T+2, is the Tuesday after', '2026-11-27', 2, '2026-12-01'],
    ['a Saturday, T+1, is Monday', '2026-11-28', 1, '2026-11-30'],
    ['a Sunday, T+1, is Monday', '2026-11-29', 1, '2026-11-30'],
    ['a Monday, T+2, is Wednesday', '2026-11-30', 2, '2026-12-02'],
    ['Maundy Thursday, T+1, skips Good Friday, the weekend and Easter Monday', '2025-04-17', 1, '2025-04-22'],
    ['the Wednesday before Easter, T+2, lands after the Easter break', '2025-04-16', 2, '2025-04-22'],
  ];
  for (const [name, from, count, expected] of cases) {
    it(name, () => { assert.equal(workingDayAfter(calendar, from, count), expected); });
  }
  it('counts a declared holiday and ignores a computed one that was taken back', () => {
    const declared = holidayCalendar(() => easter2025, [
      { date: '2025-04-22', action: 'add', name: 'declared' },
      { date: '2025-04-21', action: 'remove', name: 'moved' },
    ]);
    assert.equal(declared.isWorkingDay('2025-04-21'), true);
    assert.equal(declared.holidayOn('2025-04-22'), 'declared');
    assert.equal(workingDayAfter(declared, '2025-04-17', 1), '2025-04-21');
    assert.equal(workingDayAfter(declared, '2025-04-17', 2), '2025-04-23');
  });
});

describe('timeline rules', () => {
  const base: TimelineCase = { openedAt: wat('2026-11-26T10:00:00'), channel: 'mobile', failureType: 'timeout', amountMinor: 5_000_00n, currency: 'NGN' };
  it('gives T+2 working days by default and T+1 above ₦1,000,000 (seed rule)', () => {
    assert.equal(deadlineFor(seedTimelineRules, base, calendar).dueAt, lagosEndOf('2026-11-30'));
    const high = deadlineFor(seedTimelineRules, { ...base, amountMinor: 1_000_000_01n }, calendar);
    assert.deepEqual([high.rule, high.dueAt], ['high_value', lagosEndOf('2026-11-27')]);
  });
  it('keeps exactly ₦1,000,000 and amounts in other currencies on the fallback', () => {
    assert.equal(deadlineFor(seedTimelineRules, { ...base, amountMinor: 1_000_000_00n }, calendar).rule, 'fallback');
    assert.equal(deadlineFor(seedTimelineRules, { ...base, amountMinor: 5_000_000_00n, currency: 'USD' }, calendar).rule, 'fallback');
  });
  it('counts from the Lagos date: 23:30 WAT Thursday is Thursday, 00:30 WAT is Friday', () => {
    assert.equal(deadlineFor(seedTimelineRules, { ...base, openedAt: wat('2026-11-26T23:30:00') }, calendar).dueAt, lagosEndOf('2026-11-30'));
    assert.equal(deadlineFor(seedTimelineRules, { ...base, openedAt: wat('2026-11-27T00:30:00') }, calendar).dueAt, lagosEndOf('2026-12-01'));
  });
  it('applies the CBN hour limits by channel, in calendar hours through weekends', () => {
    const friday = wat('2026-11-27T16:00:00');
    const due = (channel: string) => deadlineFor(cbnTimelineRules, { ...base, openedAt: friday, channel }, calendar);
    assert.deepEqual([due('nip').rule, due('nip').dueAt], ['nip_failed_transfer', friday + 24 * hourMs]);
    assert.equal(due('atm_on_us').dueAt, friday + 24 * hourMs);
    assert.equal(due('atm_not_on_us').dueAt, friday + 48 * hourMs);
    assert.equal(due('pos').dueAt, friday + 72 * hourMs);
    assert.equal(due('web').dueAt, friday + 72 * hourMs);
    assert.equal(due('mobile').dueAt, lagosEndOf('2026-12-01'));
  });
  it('reads a rule set from configuration and names the field of a bad amount', () => {
    const config = timelineRuleSetSchema.parse({
      rules: [{ name: 'cards', channels: ['pos'], amount_above: { amount: '50000.00', currency: 'NGN' }, timeline: { hours: 48 } }],
      fallback: { working_days: 3 },
    });
    const parsed = timelineRuleSetFrom(config);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.rules[0]?.amountAbove, { amountMinor: 50_000_00n, currency: 'NGN' });
    assert.deepEqual(parsed.value.fallback, { kind: 'working_days', days: 3 });
    const bad = timelineRuleSetFrom(timelineRuleSetSchema.parse({ rules: [{ name: 'x', amount_above: { amount: '1.234', currency: 'NGN' }, timeline: { hours: 1 } }], fallback: { hours: 24 } }));
    assert.deepEqual(bad.ok ? null : bad.field, 'rules.0.amount_above.amount');
    assert.equal(timelineRuleSetFrom(timelineRuleSetSchema.parse({ preset: 'cbn' })).ok, true);
    assert.equal(timelineRuleSetSchema.safeParse({ rules: [], fallback: { working_days: 0 } }).success, false);
  });
});

describe('penalty exposure', () => {
  const failedAt = wat('2026-11-27T09:00:00');
  const cases: [string, string, number | null, number, bigint][] = [
    ['a NIP item reversed within 24 hours owes nothing', 'nip', failedAt + 23 * hourMs, failedAt + 30 * hourMs, 0n],
    ['a NIP item reversed after 24 hours is exposed to ₦10,000', 'nip', failedAt + 25 * hourMs, failedAt + 30 * hourMs, 10_000_00n],
    ['a NIP item still unreversed past 24 hours is exposed', 'nip', null, failedAt + 24 * hourMs + 1, 10_000_00n],
    ['a NIP item still inside its window is not yet exposed', 'nip', null, failedAt + 24 * hourMs, 0n],
    ['other channels carry no NIP penalty', 'pos', null, failedAt + 100 * hourMs, 0n],
  ];
  for (const [name, channel, reversedAt, now, expected] of cases) {
    it(name, () => { assert.equal(penaltyExposureMinor(defaultPenaltyPolicy, { channel, failedAt, reversedAt }, now), expected); });
  }
  it('a NIP item the status query found paid was never a failed item: nothing, however late', () => {
    assert.equal(penaltyExposureMinor(defaultPenaltyPolicy, { channel: 'nip', failedAt, reversedAt: null, resolvedAsSuccess: true }, failedAt + 100 * hourMs), 0n);
  });
});
