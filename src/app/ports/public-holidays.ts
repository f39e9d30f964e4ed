// The source of each year's computed public holidays, declared by the timeline use cases.
// Overrides (holidays moved or declared by the government) are applied on top by the app.
// Asynchronous so that an adapter can load its data set on first use, not at start-up.
import type { Holiday } from '../../domain/timelines/holiday-calendar.ts';

export type PublicHolidays = {
  /** The public holidays of `year` (no observances), by Lagos calendar date. */
  forYear(year: number): Promise<readonly Holiday[]>;
};
