import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, chinaMidnight, dayPeriod, defaultHolidayCalendar, holidayCalendar, hourPeriodEnd, isRestDay, noticeDeadline } from './legal-deadline.js';

const cal = defaultHolidayCalendar();
/** An instant given as China Standard Time wall-clock. */
const cst = (day: string, hh = 0, mm = 0) => Date.parse(`${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`);

describe('periods in days (Civil Code arts. 201, 203)', () => {
  it('start the next day and end at 24:00 of the last day, whatever the hour of the event', () => {
    // Event on Monday 2026-11-02 at 09:30: day 1 is 11-03, day 10 is Thursday 11-12.
    const p = dayPeriod(cst('2026-11-02', 9, 30), 10, cal);
    expect(p).toMatchObject({ firstDay: '2026-11-03', lastDay: '2026-11-12', calendarKnown: true });
    expect(p.endsAt).toBe(cst('2026-11-13'));
    // An event a minute before midnight counts from the same next day.
    expect(dayPeriod(cst('2026-11-02', 23, 59), 10, cal).endsAt).toBe(p.endsAt);
    // 00:30 CST is still the previous UTC day; days are Chinese days.
    expect(dayPeriod(cst('2026-11-03', 0, 30), 10, cal).lastDay).toBe('2026-11-13');
  });

  it('cross month ends and leap days', () => {
    expect(dayPeriod(cst('2026-01-31', 12), 30, cal).lastDay).toBe('2026-03-02'); // Monday
    expect(dayPeriod(cst('2028-02-28', 12), 1, defaultHolidayCalendar()).lastDay).toBe('2028-02-29'); // Tuesday, a leap day
    expect(dayPeriod(cst('2026-02-28', 12), 1, holidayCalendar([])).lastDay).toBe('2026-03-02'); // no 02-29 in 2026; 03-01 is a Sunday
    expect(dayPeriod(cst('2025-12-31', 12), 5, cal).lastDay).toBe('2026-01-05'); // past New Year's holiday and the Jan 4 working Sunday
  });

  it('move a last day on a statutory holiday or weekend to the next working day', () => {
    // Last day 2025-10-01 (National Day, Oct 1–8) moves to Thursday 10-09.
    const p = dayPeriod(cst('2025-09-01', 10), 30, cal);
    expect(p).toMatchObject({ lastDay: '2025-10-09', movedFrom: '2025-10-01' });
    expect(p.endsAt).toBe(cst('2025-10-10'));
    // 2026 Spring Festival: Feb 15–23 off; last day Feb 16 moves to Tuesday Feb 24.
    expect(dayPeriod(cst('2026-01-17', 8), 30, cal)).toMatchObject({ lastDay: '2026-02-24', movedFrom: '2026-02-16' });
    // A plain Saturday moves to Monday.
    expect(dayPeriod(cst('2026-11-13', 8), 1, cal)).toMatchObject({ lastDay: '2026-11-16', movedFrom: '2026-11-14' });
  });

  it('do not move a last day that is an adjusted working day (调休上班)', () => {
    // Saturday 2026-02-28 is a working day by the State Council's notice.
    expect(isRestDay('2026-02-28', cal)).toBe(false);
    expect(dayPeriod(cst('2026-02-27', 8), 1, cal)).toMatchObject({ lastDay: '2026-02-28' });
    expect(dayPeriod(cst('2026-02-27', 8), 1, cal).movedFrom).toBeUndefined();
    // Sunday 2025-01-26 likewise.
    expect(isRestDay('2025-01-26', cal)).toBe(false);
    expect(isRestDay('2025-01-28', cal)).toBe(true);
  });

  it('count Decree 799\'s 90 days from 2025-04-01 to 24:00 of 2025-06-30 (police notices: "before 2025-07-01")', () => {
    const p = dayPeriod(chinaMidnight('2025-04-01'), 90, cal);
    expect(p).toMatchObject({ firstDay: '2025-04-02', lastDay: '2025-06-30' });
    expect(p.endsAt).toBe(cst('2025-07-01'));
  });

  it('say when a year has no holiday notice in the calendar', () => {
    expect(dayPeriod(cst('2027-03-01', 8), 10, cal).calendarKnown).toBe(false);
    expect(() => dayPeriod(0, 0, cal)).toThrow(/positive whole number/);
  });
});

describe('periods in hours and notices', () => {
  it('count hours from the moment (art. 201 ¶2), holidays or not', () => {
    expect(hourPeriodEnd(cst('2025-10-01', 9, 15), 24)).toBe(cst('2025-10-02', 9, 15));
    expect(() => hourPeriodEnd(0, 0)).toThrow(/positive/);
  });

  it('a notice N days before an event is due by 24:00 of the Nth day before it', () => {
    expect(noticeDeadline(cst('2026-12-12', 11), 10)).toBe(cst('2026-12-03'));
    expect(calendarDaysBetween(cst('2026-12-02', 23, 59), cst('2026-12-12', 0, 1))).toBe(10);
  });
});

describe('the holiday calendar is data', () => {
  it('holds the State Council notices for 2025 and 2026, and refuses a muddled year', () => {
    expect([...cal.years].sort()).toEqual([2025, 2026]);
    for (const d of ['2025-01-01', '2025-02-04', '2025-05-05', '2025-10-08', '2026-01-03', '2026-02-23', '2026-06-19', '2026-09-25', '2026-10-07']) expect([d, isRestDay(d, cal)]).toEqual([d, true]);
    for (const d of ['2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11', '2026-01-04', '2026-02-14', '2026-05-09', '2026-09-20', '2026-10-10']) expect([d, isRestDay(d, cal)]).toEqual([d, false]);
    expect(() => holidayCalendar([{ year: 2027, notice: 'x', source: 'x', holidays: ['2026-01-01'], workingDays: [] }])).toThrow(/not in 2027/);
    expect(() => holidayCalendar([{ year: 2027, notice: 'x', source: 'x', holidays: ['2027-01-01'], workingDays: ['2027-01-01'] }])).toThrow(/both/);
  });
});
