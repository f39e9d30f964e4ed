// Nigerian public holidays computed by the date-holidays package (fixed dates, Easter, and
// the Islamic holidays by the tabular calendar). Only days of type `public` count; the
// package's observances (Easter Sunday, New Year's Eve) are working days. Islamic holidays
// start at the previous sunset in the package; their calendar date is the day itself.
// The package carries every country's data (~0.8 MB), so it is loaded on first use only.
import type { PublicHolidays } from '../../app/ports/public-holidays.ts';
import type { Holiday } from '../../domain/timelines/holiday-calendar.ts';

type HolidaySource = { getHolidays(year: number, language: string): readonly { date: string; name: string; type: string }[] };

export function nigerianPublicHolidays(): PublicHolidays {
  let source: Promise<HolidaySource> | undefined;
  const years = new Map<number, readonly Holiday[]>();
  return {
    async forYear(year) {
      const known = years.get(year);
      if (known !== undefined) return known;
      source ??= import('date-holidays').then(({ default: Holidays }) => new Holidays('NG'));
      const holidays = (await source).getHolidays(year, 'en')
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => ({ date: holiday.date.slice(0, 10), name: holiday.name }));
      years.set(year, holidays);
      return holidays;
    },
  };
}
