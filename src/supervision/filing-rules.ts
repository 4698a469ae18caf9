// Filing (备案, R7.2) and the police visit after it, pure: the resolved profile, the system's
// dates and the clock in; a deadline with its article out. Where the profile sets no number the
// answer is "no deadline" with the profile's own note, never a number made up here. Periods in
// days are counted as the Civil Code counts them (legal-deadline.ts): from the next day, to 24:00
// of the last, past a last day that is a rest day.
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { chinaMidnight, dayPeriodEnd } from '../domain/legal-deadline.js';

export const DAY = 86_400_000;

/** The dates of a system that filing deadlines count from. */
export interface SystemDates {
  /** Built before the local rules took effect (AH-13 para. 3, HRB-18): the legacy deadline applies. */
  builtBeforeRules: boolean;
  /** When the rules took effect for this system's region (legacy systems count from it). */
  rulesEffectiveAt: number | null;
  inServiceAt: number | null;
  acceptedAt: number | null;
  /** Who paid for it: filing rules that reach only non-government systems skip the others. */
  funding?: 'government' | 'self';
}

export type DeadlineStart = 'in-service' | 'acceptance' | 'rules-effective';

export interface FilingDeadline {
  /** Epoch ms; null when there is no deadline, or it has not started counting yet. */
  dueAt: number | null;
  days: number | null;
  startsAt: DeadlineStart | null;
  /** The instant the count started, when it has. */
  startAt: number | null;
  article: string | null;
  basis: string;
}

export function filingDeadline(profile: JurisdictionProfile, s: SystemDates): FilingDeadline {
  const name = profile.name.en;
  const scope = profile.filing.appliesTo;
  if (s.funding === 'government' && scope.value === 'non-government') {
    return { dueAt: null, days: null, startsAt: null, startAt: null, article: scope.article, basis: `a government-built system is not filed under ${name} (${scope.article}): ${scope.note ?? 'it is accepted by the government instead'}` };
  }
  if (s.builtBeforeRules) {
    const legacy = profile.filing.legacyDeadlineDays;
    if (legacy.value === null) return { dueAt: null, days: null, startsAt: null, startAt: null, article: null, basis: `${name} sets no filing deadline for systems built before its rules: ${legacy.note}` };
    // The text that set the legacy deadline says when it took effect (CN799-14: 2025-04-01);
    // that date is the law's, not a per-system guess. Only where the profile does not know the
    // date does the system's recorded one stand in.
    const countsFrom = profile.filing.legacyCountsFrom;
    if (countsFrom !== null) {
      const startAt = chinaMidnight(countsFrom);
      const dueAt = dayPeriodEnd(startAt, legacy.value);
      return { dueAt, days: legacy.value, startsAt: 'rules-effective', startAt, article: legacy.article, basis: `within ${legacy.value} days of ${countsFrom}, when the rules took effect (${legacy.article})` };
    }
    if (s.rulesEffectiveAt === null) {
      return { dueAt: null, days: legacy.value, startsAt: 'rules-effective', startAt: null, article: legacy.article, basis: `${legacy.value} days from the date the rules took effect (${legacy.article}); that date is not recorded for this system` };
    }
    return {
      dueAt: dayPeriodEnd(s.rulesEffectiveAt, legacy.value),
      days: legacy.value,
      startsAt: 'rules-effective',
      startAt: s.rulesEffectiveAt,
      article: legacy.article,
      basis: `within ${legacy.value} days of the rules taking effect (${legacy.article})`,
    };
  }
  const days = profile.filing.deadlineDays;
  const from = profile.filing.deadlineStartsAt;
  if (days.value === null) return { dueAt: null, days: null, startsAt: null, startAt: null, article: null, basis: `${name} sets no filing deadline: ${days.note}` };
  // A deadline without its starting event in the profile would be a guess; none of the shipped
  // profiles has one, but a new file could.
  if (from.value === null) return { dueAt: null, days: days.value, startsAt: null, startAt: null, article: days.article, basis: `${days.value} days (${days.article}), but the profile does not say from when: ${from.note}` };
  const startAt = from.value === 'in-service' ? s.inServiceAt : s.acceptedAt;
  const event = from.value === 'in-service' ? 'going into service' : 'passing acceptance';
  if (startAt === null) {
    return { dueAt: null, days: days.value, startsAt: from.value, startAt: null, article: days.article, basis: `${days.value} days from ${event} (${days.article}); not started yet` };
  }
  return { dueAt: dayPeriodEnd(startAt, days.value), days: days.value, startsAt: from.value, startAt, article: days.article, basis: `within ${days.value} days of ${event} (${days.article})` };
}

export type FilingState = 'filed' | 'filed-late' | 'not-started' | 'due' | 'overdue' | 'no-deadline';

/** Where a system stands with its filing at `now`. */
export function filingState(d: FilingDeadline, filedAt: number | null, now: number): FilingState {
  if (filedAt !== null) return d.dueAt !== null && filedAt > d.dueAt ? 'filed-late' : 'filed';
  if (d.dueAt === null) return d.days === null ? 'no-deadline' : 'not-started';
  return now > d.dueAt ? 'overdue' : 'due';
}

export interface VisitDeadline {
  dueAt: number | null;
  days: number | null;
  article: string | null;
  basis: string;
}

/** The police's visit after receiving a filing (AH-13: 实地查看、指导 within 30 days). */
export function policeVisitDeadline(profile: JurisdictionProfile, receivedAt: number): VisitDeadline {
  const s = profile.filing.policeVisitDays;
  if (s.value === null) return { dueAt: null, days: null, article: null, basis: `${profile.name.en} sets no deadline for the police to visit: ${s.note}` };
  return { dueAt: dayPeriodEnd(receivedAt, s.value), days: s.value, article: s.article, basis: `visit within ${s.value} days of receiving the filing (${s.article})` };
}

export type VisitState = 'visited' | 'visited-late' | 'due' | 'overdue' | 'no-deadline';

export function visitState(d: VisitDeadline, visitedAt: number | null, now: number): VisitState {
  if (visitedAt !== null) return d.dueAt !== null && visitedAt > d.dueAt ? 'visited-late' : 'visited';
  if (d.dueAt === null) return 'no-deadline';
  return now > d.dueAt ? 'overdue' : 'due';
}
