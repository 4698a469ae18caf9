// A rectification order (责令限期改正, R8.1): the police set the period (no regulation gives it a
// number), the unit reports what it corrected, the police verify on follow-up and close it or
// send it back. Pure state machine; "overdue" is computed from the clock, never stored.
import { Errors } from '../errors.js';

export const RECTIFICATION_STATES = ['open', 'reported', 'closed'] as const;
export type RectificationState = (typeof RECTIFICATION_STATES)[number];
export type RectificationEvent = 'report' | 'close' | 'reopen';

const NEXT: Record<RectificationState, Partial<Record<RectificationEvent, RectificationState>>> = {
  open: { report: 'reported' },
  reported: { close: 'closed', reopen: 'open' },
  closed: {},
};

export function nextRectificationState(state: RectificationState, event: RectificationEvent): RectificationState {
  const next = NEXT[state][event];
  if (!next) throw Errors.conflict(`a rectification order that is ${state} cannot be ${event === 'report' ? 'reported' : event === 'close' ? 'closed' : 'reopened'}`);
  return next;
}

export interface RectificationDates {
  state: RectificationState;
  dueAt: number;
  /** The unit's latest report of what it corrected. */
  reportedAt: number | null;
  closedAt: number | null;
}

/** Corrected in time: the correction reported by the deadline was verified and the order closed. */
export function correctedInTime(o: RectificationDates): boolean {
  return o.state === 'closed' && o.reportedAt !== null && o.reportedAt <= o.dueAt;
}

/** Past the deadline and still open — unless a correction reported in time awaits verification. */
export function isRectificationOverdue(o: RectificationDates, now: number): boolean {
  if (o.state === 'closed' || now <= o.dueAt) return false;
  return !(o.state === 'reported' && o.reportedAt !== null && o.reportedAt <= o.dueAt);
}
