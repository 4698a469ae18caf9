// Deadlines counted as Chinese law counts them (Civil Code arts. 200–204), pure:
// - a period in days does not count the day it starts; it runs from the next day (art. 201);
// - it ends at 24:00 of its last day (art. 203 ¶2);
// - a last day that is a statutory rest day moves to the day after the rest ends (art. 203 ¶1);
//   rest days are the State Council's holidays and weekends, less its adjusted working days;
// - a period in hours counts from the moment it starts (art. 201 ¶2).
// Days are China Standard Time (UTC+8, no daylight saving). The holiday calendar is data, one
// file a year (calendar/cn-YYYY.json); outside the years it holds only weekends are rest days,
// and the answer says so.
import { z } from 'zod';
import { defaultHolidayCalendar } from './profile-loader.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const CST_MS = 8 * HOUR_MS;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface HolidayCalendar {
  /** Years whose State Council notice the calendar holds. */
  years: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  /** Weekend days made working days (调休上班). */
  workingDays: ReadonlySet<string>;
}

export { defaultHolidayCalendar };

export const holidayYearSchema = z.strictObject({
  year: z.number().int().min(1999).max(2200),
  notice: z.string().min(1),
  source: z.string().min(1),
  holidays: z.array(z.string().regex(ISO_DAY)),
  workingDays: z.array(z.string().regex(ISO_DAY)),
});
export type HolidayYear = z.infer<typeof holidayYearSchema>;

export function holidayCalendar(years: readonly HolidayYear[]): HolidayCalendar {
  for (const y of years) {
    const stray = [...y.holidays, ...y.workingDays].find((d) => !d.startsWith(`${y.year}-`));
    if (stray) throw new Error(`holiday calendar ${y.year}: ${stray} is not in ${y.year}`);
    const both = y.holidays.find((d) => y.workingDays.includes(d));
    if (both) throw new Error(`holiday calendar ${y.year}: ${both} is both a holiday and a working day`);
  }
  return {
    years: new Set(years.map((y) => y.year)),
    holidays: new Set(years.flatMap((y) => y.holidays)),
    workingDays: new Set(years.flatMap((y) => y.workingDays)),
  };
}

/** The CST calendar day of an instant, 'YYYY-MM-DD'. */
export function chinaDayOf(ms: number): string {
  return new Date(ms + CST_MS).toISOString().slice(0, 10);
}

/** 00:00 CST of a day, as epoch ms. */
export function chinaMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - CST_MS;
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function isRestDay(day: string, cal: HolidayCalendar): boolean {
  if (cal.holidays.has(day)) return true;
  if (cal.workingDays.has(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

export interface DayPeriod {
  /** 24:00 CST of the last day, as epoch ms: the period has run out from this instant on. */
  endsAt: number;
  /** The first day counted (the day after the start). */
  firstDay: string;
  /** The last day, after any move past rest days. */
  lastDay: string;
  /** The last day by plain counting, when a rest day moved it. */
  movedFrom?: string;
  /** False when a day looked at lies in a year the calendar holds no notice for. */
  calendarKnown: boolean;
}

/** A period of `days` days starting at `startMs` (Civil Code arts. 201, 203). */
export function dayPeriod(startMs: number, days: number, cal: HolidayCalendar = defaultHolidayCalendar()): DayPeriod {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`a period in days is a positive whole number, not ${days}`);
  const startDay = chinaDayOf(startMs);
  const firstDay = addDays(startDay, 1);
  const plainLast = addDays(startDay, days);
  let last = plainLast;
  let calendarKnown = cal.years.has(Number(plainLast.slice(0, 4)));
  while (isRestDay(last, cal)) {
    last = addDays(last, 1);
    if (!cal.years.has(Number(last.slice(0, 4)))) calendarKnown = false;
  }
  const out: DayPeriod = { endsAt: chinaMidnight(addDays(last, 1)), firstDay, lastDay: last, calendarKnown };
  if (last !== plainLast) out.movedFrom = plainLast;
  return out;
}

/** When a period of `days` days starting at `startMs` runs out (epoch ms). */
export function dayPeriodEnd(startMs: number, days: number, cal?: HolidayCalendar): number {
  return dayPeriod(startMs, days, cal).endsAt;
}

/** A period in hours counts from the moment it starts (Civil Code art. 201 ¶2). */
export function hourPeriodEnd(startMs: number, hours: number): number {
  if (!(hours > 0)) throw new RangeError(`a period in hours is positive, not ${hours}`);
  return startMs + hours * HOUR_MS;
}

/**
 * The latest instant a notice "N days before" an event may be given: 24:00 of the Nth day
 * before the event's day, neither day counted twice (AH-15 10 days, HRB-19 30 days). No rest-day
 * move here: moving a backward deadline later would shorten the notice the law asks for.
 */
export function noticeDeadline(eventMs: number, days: number): number {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`a notice period is a positive whole number of days, not ${days}`);
  return chinaMidnight(addDays(chinaDayOf(eventMs), -days + 1));
}

/** Whole calendar days (CST) from the day of `fromMs` to the day of `toMs`. */
export function calendarDaysBetween(fromMs: number, toMs: number): number {
  return Math.round((Date.parse(`${chinaDayOf(toMs)}T00:00:00Z`) - Date.parse(`${chinaDayOf(fromMs)}T00:00:00Z`)) / DAY_MS);
}
