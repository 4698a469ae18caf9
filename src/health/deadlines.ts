// Deadlines of maintenance work (R6.2, R7.3), pure: the profile, the cause and the clock in;
// a deadline with the article that sets it out. Where no text sets a number, the profile's
// platform default is used and labelled as such — never a number made up here.
import type { HoursSetting, JurisdictionProfile, RepairDuty, Setting } from '../domain/jurisdiction-profile.js';
import { calendarDaysBetween, hourPeriodEnd, noticeDeadline } from '../domain/legal-deadline.js';

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
  return { dueAt: hourPeriodEnd(openedAt, s.value), hours: s.value, article: s.article, basis: `${what}: within ${s.value} h (${s.article})` };
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

/** A deadline that is the platform's default where the law gives no number, said so. */
export interface PlannedDeadline extends Deadline {
  platformDefault: boolean;
}

/**
 * Everything a new work order is held to. "Repair at once" (HRB-25(3)) has no number in any
 * text, so it is made checkable in steps: the maintainer responds within `respond`, the fault is
 * repaired by `repair` (the law's hours where a text sets them: HRB-30, HRB-19; otherwise the
 * profile's platform default), then the camera's managing unit is told, and if the camera is
 * still not repaired by `police`, the police unit of its region.
 */
export interface WorkOrderPlan {
  cause: WorkOrderCause;
  /** The duty the text sets for faults, with its article (or why there is none). */
  duty: { value: RepairDuty | null; article: string | null; note: string | null };
  respond: PlannedDeadline;
  repair: PlannedDeadline;
  police: PlannedDeadline;
}

function planned(start: number | null, s: HoursSetting, what: string): PlannedDeadline {
  if (start === null || s.value === null) return { dueAt: null, hours: null, article: null, basis: `${what}: ${s.note ?? 'no deadline'}`, platformDefault: false };
  if (s.platformDefault) {
    return { dueAt: hourPeriodEnd(start, s.value), hours: s.value, article: null, basis: `${what}: within ${s.value} h, the platform's default (${s.note})`, platformDefault: true };
  }
  return { dueAt: hourPeriodEnd(start, s.value), hours: s.value, article: s.article, basis: `${what}: within ${s.value} h (${s.article})`, platformDefault: false };
}

/** The plan of a work order opened at `openedAt`: pure, the profile and the clock in. */
export function workOrderPlan(profile: JurisdictionProfile, cause: WorkOrderCause, openedAt: number): WorkOrderPlan {
  const r = profile.repair;
  const law = workOrderDeadline(profile, cause, openedAt);
  const repair: PlannedDeadline = law.dueAt !== null
    ? { ...law, platformDefault: false }
    : planned(openedAt, r.faultRepairHours, cause === 'fault' || cause === 'offline' ? `repair the fault (${dutyWords(r.faultDuty)})` : `${law.basis}; repair`);
  const respond = planned(openedAt, r.faultRespondHours, 'the maintainer responds');
  // A response deadline after the repair deadline would never be the one that fires.
  const respondCapped = respond.dueAt !== null && repair.dueAt !== null && respond.dueAt > repair.dueAt ? { ...respond, dueAt: repair.dueAt } : respond;
  const police = planned(repair.dueAt, r.policeEscalationHours, 'still not repaired after the managing unit was told: the police unit of the region');
  const duty = r.faultDuty.value === null
    ? { value: null, article: null, note: r.faultDuty.note }
    : { value: r.faultDuty.value, article: r.faultDuty.article, note: r.faultDuty.note ?? null };
  return { cause, duty, respond: respondCapped, repair, police };
}

function dutyWords(d: Setting<RepairDuty>): string {
  if (d.value === null) return 'no duty set';
  const words: Record<RepairDuty, string> = {
    immediate: 'at once',
    uninterrupted: 'keep running without interruption',
    'normal-operation': 'keep running normally',
    'regular-maintenance': 'regular upkeep',
  };
  return `${words[d.value]}, ${d.article}`;
}

/** Where an order stands on its escalation ladder: 0 with the maintainer, 1 managing unit, 2 police. */
export type EscalationLevel = 0 | 1 | 2;

export interface EscalationState {
  level: EscalationLevel;
  respondBy: number | null;
  respondedAt: number | null;
  dueAt: number | null;
  policeDueAt: number | null;
  closedAt: number | null;
}

export interface EscalationStep {
  level: 1 | 2;
  to: 'managing_unit' | 'police';
  reason: 'no_response' | 'not_repaired';
}

/**
 * The next escalation due at `now`, or null. One step at a time: the managing unit first (no
 * response in time, or not repaired in time), then the police (still not repaired by the police
 * deadline). A closed order never escalates.
 */
export function nextEscalation(o: EscalationState, now: number): EscalationStep | null {
  if (o.closedAt !== null) return null;
  if (o.level === 0) {
    if (o.dueAt !== null && now > o.dueAt) return { level: 1, to: 'managing_unit', reason: 'not_repaired' };
    if (o.respondBy !== null && o.respondedAt === null && now > o.respondBy) return { level: 1, to: 'managing_unit', reason: 'no_response' };
    return null;
  }
  if (o.level === 1 && o.policeDueAt !== null && now > o.policeDueAt) return { level: 2, to: 'police', reason: 'not_repaired' };
  return null;
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
  // Counted in calendar days as the law counts them (legal-deadline.ts), not in 24-hour blocks.
  const daysGiven = calendarDaysBetween(noticeAt, plannedAt);
  if (s.value === null) return { inTime: true, noticeDays: null, article: null, latestNoticeAt: null, daysGiven, reason: `${profile.name.en} sets no notice period before ${kind}: ${s.note}` };
  // A notice rule reaches only what its text names (AH-15: removal only; HRB-19: moving and removal).
  const covers = profile.relocation.noticeCovers;
  if (covers.value !== null && !covers.value.includes(kind)) {
    return { inTime: true, noticeDays: null, article: null, latestNoticeAt: null, daysGiven, reason: `${s.article} asks notice before ${covers.value.join(' and ')} only, not before ${kind}${covers.note ? `: ${covers.note}` : ''}` };
  }
  const latestNoticeAt = noticeDeadline(plannedAt, s.value);
  const inTime = noticeAt < latestNoticeAt;
  const reason = inTime
    ? `notice of ${kind} given ${daysGiven} days ahead; at least ${s.value} are required (${s.article})`
    : `notice of ${kind} given ${daysGiven} days ahead, fewer than the ${s.value} required (${s.article})`;
  return { inTime, noticeDays: s.value, article: s.article, latestNoticeAt, daysGiven, reason };
}
