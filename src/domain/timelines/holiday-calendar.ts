// The working-day calendar: Saturdays, Sundays and public holidays are not working days.
// Public holidays come from a yearly source (computed, e.g. by the date-holidays package)
// corrected by overrides, because the Federal Government moves holidays and declares new
// ones at short notice (Eid al-Fitr 2025 was declared for 31 March and 1 April).
import { isCalendarDate, nextCalendarDate, weekdayOf, yearOf, type CalendarDate } from './lagos-dates.ts';
import { invariant } from '../invariant.ts';

export type Holiday = { readonly date: CalendarDate; readonly name: string };

/** `add` declares a date a holiday; `remove` takes back a computed one (a holiday moved away). */
export type HolidayOverride = { readonly date: CalendarDate; readonly action: 'add' | 'remove'; readonly name: string };

/** How far a working-day count may run: no timeline rule needs more than a quarter. */
export const workingDaysMax = 90;

export type HolidayCalendar = {
  /** The holiday's name, or null on a day that is not a public holiday. */
  holidayOn(date: CalendarDate): string | null;
  isWorkingDay(date: CalendarDate): boolean;
};

/**
 * Builds the calendar from a source of each year's public holidays and the overrides.
 * The source is called at most once per year asked about.
 */
export function holidayCalendar(
  publicHolidaysOf: (year: number) => readonly Holiday[],
  overrides: readonly HolidayOverride[] = [],
): HolidayCalendar {
  const years = new Map<number, ReadonlyMap<CalendarDate, string>>();
  const overridden = new Map<CalendarDate, HolidayOverride>();
  for (const override of overrides) {
    invariant(isCalendarDate(override.date), `override date ${override.date} is not a calendar date`);
    overridden.set(override.date, override);
  }
  const computed = (date: CalendarDate): string | null => {
    const year = yearOf(date);
    let holidays = years.get(year);
    if (holidays === undefined) {
      holidays = new Map(publicHolidaysOf(year).map((holiday) => [holiday.date, holiday.name]));
      years.set(year, holidays);
    }
    return holidays.get(date) ?? null;
  };
  const holidayOn = (date: CalendarDate): string | null => {
    const override = overridden.get(date);
    if (override !== undefined) return override.action === 'add' ? override.name : null;
    return computed(date);
  };
  return {
    holidayOn,
    isWorkingDay(date) {
      const weekday = weekdayOf(date);
      return weekday !== 0 && weekday !== 6 && holidayOn(date) === null;
    },
  };
}

/** The `count`-th working day strictly after `date` (T+count). */
export function workingDayAfter(calendar: HolidayCalendar, date: CalendarDate, count: number): CalendarDate {
  invariant(Number.isInteger(count) && count >= 1 && count <= workingDaysMax, `working days ${count} outside 1..${workingDaysMax}`);
  let day = date;
  let remaining = count;
  // Every run of days off is shorter than a month, so this ends well within the bound.
  for (let step = 0; step < count * 31; step++) {
    day = nextCalendarDate(day);
    if (calendar.isWorkingDay(day) && --remaining === 0) return day;
  }
  invariant(false, `no ${count} working days found after ${date}`);
}
