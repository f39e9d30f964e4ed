// Nigerian public holidays computed by the date-holidays package (fixed dates, Easter, and
// the Islamic holidays by the tabular calendar). Only days of type `public` count; the
// package's observances (Easter Sunday, New Year's Eve) are working days. Islamic holidays
// start at the previous sunset in the package; their calendar date is the day itself.
import Holidays from 'date-holidays';
import type { PublicHolidays } from '../../app/ports/public-holidays.ts';
import type { Holiday } from '../../domain/timelines/holiday-calendar.ts';

export function nigerianPublicHolidays(): PublicHolidays {
  const source = new Holidays('NG');
  const years = new Map<number, readonly Holiday[]>();
  return {
    forYear(year) {
      let holidays = years.get(year);
      if (holidays === undefined) {
        holidays = source.getHolidays(year, 'en')
          .filter((holiday) => holiday.type === 'public')
          .map((holiday) => ({ date: holiday.date.slice(0, 10), name: holiday.name }));
        years.set(year, holidays);
      }
      return holidays;
    },
  };
}
