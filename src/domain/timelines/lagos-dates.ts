// Calendar dates as Nigerian operations count them: days in Africa/Lagos time (West Africa
// Time, UTC+01:00 all year, no daylight saving), written `YYYY-MM-DD`. Pure arithmetic on
// epoch milliseconds; no clock, no time-zone database.
import { invariant } from '../invariant.ts';

/** A day of the calendar, `YYYY-MM-DD`. */
export type CalendarDate = string;

/** Africa/Lagos keeps UTC+01:00 the whole year (WAT); it has had no DST since 1919. */
export const lagosUtcOffsetMs = 60 * 60 * 1000;
export const dayMs = 24 * 60 * 60 * 1000;

const calendarDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const match = calendarDatePattern.exec(value);
  if (match === null) return false;
  const utc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(utc).toISOString().slice(0, 10) === value;
}

/** The Lagos calendar date on which the instant `atMs` falls. */
export function lagosDateOf(atMs: number): CalendarDate {
  return new Date(atMs + lagosUtcOffsetMs).toISOString().slice(0, 10);
}

/** The first instant of a Lagos calendar date (00:00 WAT). */
export function lagosStartOf(date: CalendarDate): number {
  invariant(isCalendarDate(date), `not a calendar date: ${date}`);
  return Date.parse(`${date}T00:00:00.000Z`) - lagosUtcOffsetMs;
}

/** The last millisecond of a Lagos calendar date (23:59:59.999 WAT). */
export function lagosEndOf(date: CalendarDate): number {
  return lagosStartOf(date) + dayMs - 1;
}

export function nextCalendarDate(date: CalendarDate): CalendarDate {
  invariant(isCalendarDate(date), `not a calendar date: ${date}`);
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + dayMs).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: CalendarDate): number {
  invariant(isCalendarDate(date), `not a calendar date: ${date}`);
  return new Date(`${date}T00:00:00.000Z`).getUTCDay();
}

export function yearOf(date: CalendarDate): number {
  return Number(date.slice(0, 4));
}
