// The date-holidays baseline for Nigeria, and the 2025 Eid al-Fitr the government declared
// for Monday 31 March and Tuesday 1 April (the computed date fell on Sunday 30 March).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holidayCalendar, workingDayAfter } from '../../domain/timelines/holiday-calendar.ts';
import { lagosEndOf } from '../../domain/timelines/lagos-dates.ts';
import { deadlineFor, seedTimelineRules } from '../../domain/timelines/timeline-rules.ts';
import { nigerianPublicHolidays } from './nigerian-public-holidays.ts';

describe('Nigerian public holidays', () => {
  const holidays = nigerianPublicHolidays();
  it('lists the fixed and movable public holidays of 2025, without observances', async () => {
    const dates = (await holidays.forYear(2025)).map((holiday) => holiday.date);
    for (const date of ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-01', '2025-06-12', '2025-10-01', '2025-12-25', '2025-12-26']) {
      assert.ok(dates.includes(date), date);
    }
    assert.ok(!dates.includes('2025-04-20'), 'Easter Sunday is an observance');
    assert.ok(!dates.includes('2025-12-31'), "New Year's Eve is an observance");
  });

  it('moves a T+2 deadline past Eid al-Fitr 2025 once the declared days are overridden', async () => {
    const year2025 = await holidays.forYear(2025);
    const openedAt = Date.parse('2025-03-28T15:00:00+01:00');
    const subject = { openedAt, channel: 'mobile', failureType: 'timeout', amountMinor: 50_000_00n, currency: 'NGN' };
    const computedOnly = holidayCalendar(() => year2025);
    assert.equal(deadlineFor(seedTimelineRules, subject, computedOnly).dueAt, lagosEndOf('2025-04-01'));
    const declared = holidayCalendar(() => year2025, [
      { date: '2025-03-31', action: 'add', name: 'Eid al-Fitr (declared)' },
      { date: '2025-04-01', action: 'add', name: 'Eid al-Fitr holiday (declared)' },
    ]);
    assert.equal(workingDayAfter(declared, '2025-03-28', 1), '2025-04-02');
    assert.equal(deadlineFor(seedTimelineRules, subject, declared).dueAt, lagosEndOf('2025-04-03'));
  });
});
