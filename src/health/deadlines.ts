// Deadlines of maintenance work (R6.2, R7.3), pure: the profile, the cause and the clock in;
// a deadline with the article that sets it out. Where the profile sets no number the answer is
// "no deadline", never a number made up here.
import type { JurisdictionProfile, Setting } from '../domain/jurisdiction-profile.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Why a work order was opened. */
export type WorkOrderCause = 'fault' | 'offline' | 'municipal_damage' | 'relocation';
export const WORK_ORDER_CAUSES: readonly WorkOrderCause[] = ['fault', 'offline', 'municipal_damage', 'relocation'];

export interface Deadline {
  /** Epoch ms; null when the profile sets no deadline for this cause. */
  dueAt: number | null;
  hours: number | null;
  article: string | null;
  /** Why there is or is not a deadline, for the order's page. */
  basis: string;
}

function fromHours(openedAt: number, s: Setting<number>, what: string): Deadline {
  if (s.value === null) return { dueAt: null, hours: null, article: null, basis: `${what}: ${s.note}` };
  return { dueAt: openedAt + s.value * HOUR, hours: s.value, article: s.article, basis: `${what}: within ${s.value} h (${s.article})` };
}

/**
 * The deadline of a work order opened at `openedAt`. Faults and outages are to be repaired at
 * once where a profile says so, but no profile gives that a number of hours, so they carry none.
 */
export function workOrderDeadline(profile: JurisdictionProfile, cause: WorkOrderCause, openedAt: number): Deadline {
  switch (cause) {
    case 'municipal_damage':
      return fromHours(openedAt, profile.maintenance.municipalDamageRestoreHours, 'restore after damage by municipal works');
    case 'relocation':
      return fromHours(openedAt, profile.relocation.coverageRestoreHours, 'restore coverage after a relocation');
    case 'fault':
    case 'offline':
      return { dueAt: null, hours: null, article: null, basis: `repair at once; ${profile.name.en} sets no number of hours` };
  }
}

/** Overdue: past a deadline and still not closed. An order without a deadline is never overdue. */
export function isOverdue(dueAt: number | null, closedAt: number | null, now: number): boolean {
  return dueAt !== null && closedAt === null && now > dueAt;
}

export type NoticeKind = 'removal' | 'relocation';

export interface NoticeCheck {
  /** True when the notice was given early enough, or when the profile sets no period. */
  inTime: boolean;
  noticeDays: number | null;
  article: string | null;
  /** The latest instant the notice could have been given (null without a period). */
  latestNoticeAt: number | null;
  /** Days between notice and the planned date, rounded down. */
  daysGiven: number;
  reason: string;
}

/**
 * R7.3: removal or relocation must be notified `noticeDays` ahead (AH-15: 10 days to the police;
 * HB-11, HRB-19: 30 days with a rebuild or replacement plan). Pure: both instants are given.
 */
export function checkNotice(profile: JurisdictionProfile, kind: NoticeKind, noticeAt: number, plannedAt: number): NoticeCheck {
  const s = profile.relocation.noticeDays;
  const daysGiven = Math.floor((plannedAt - noticeAt) / DAY);
  if (s.value === null) return { inTime: true, noticeDays: null, article: null, latestNoticeAt: null, daysGiven, reason: `${profile.name.en} sets no notice period before ${kind}: ${s.note}` };
  const latestNoticeAt = plannedAt - s.value * DAY;
  const inTime = noticeAt <= latestNoticeAt;
  const reason = inTime
    ? `notice of ${kind} given ${daysGiven} days ahead; at least ${s.value} are required (${s.article})`
    : `notice of ${kind} given ${daysGiven} days ahead, fewer than the ${s.value} required (${s.article})`;
  return { inTime, noticeDays: s.value, article: s.article, latestNoticeAt, daysGiven, reason };
}
