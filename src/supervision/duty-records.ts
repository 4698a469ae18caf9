// Duty records (issue 17 item 9), pure: the kinds a unit keeps for an inspection to read, the
// duty each answers (its articles come from the profile), and when a record is in force.
import type { Duty } from '../domain/jurisdiction-profile.js';

export const DUTY_RECORD_KINDS = ['design-review', 'emergency-plan', 'security-evaluation', 'training', 'duty-roster'] as const;
export type DutyRecordKind = (typeof DUTY_RECORD_KINDS)[number];

/** The profile duty whose articles a record of this kind answers. */
export const DUTY_OF_KIND: Record<DutyRecordKind, Duty> = {
  'design-review': 'designReview',
  'emergency-plan': 'emergencyPlan',
  'security-evaluation': 'securityEvaluation',
  training: 'training',
  'duty-roster': 'dutyRoster',
};

export interface DutyRecordFacts {
  kind: DutyRecordKind;
  systemId: number | null;
  heldAt: number;
  validUntil: number | null;
}

/** Why this record cannot be kept as given, or null. A design review is of one system. */
export function dutyRecordProblem(r: DutyRecordFacts & { title: string }, now: number): { path: string; message: string } | null {
  if (!r.title.trim()) return { path: 'title', message: 'say what the record is' };
  if (r.kind === 'design-review' && r.systemId === null) return { path: 'systemId', message: 'a design review is of one system' };
  if (r.heldAt > now) return { path: 'heldAt', message: 'lies in the future: record what has happened' };
  if (r.validUntil !== null && r.validUntil <= r.heldAt) return { path: 'validUntil', message: 'ends before it starts' };
  return null;
}

/** In force at `now`: held already, and not past its end. */
export function inForce(r: Pick<DutyRecordFacts, 'heldAt' | 'validUntil'>, now: number): boolean {
  return r.heldAt <= now && (r.validUntil === null || now < r.validUntil);
}

/**
 * Whether the design was reviewed before the works: before the system's acceptance and before it
 * went into use, whichever came first (the texts: designed "with the main works", AH-11, HRB-12,
 * WH-10; reviewed, WH-15). Null when no review is recorded.
 */
export function reviewedBeforeWorks(reviews: Pick<DutyRecordFacts, 'heldAt'>[], system: { acceptedAt: number | null; inServiceAt: number | null }): boolean | null {
  if (!reviews.length) return null;
  const first = Math.min(...reviews.map((r) => r.heldAt));
  const works = [system.acceptedAt, system.inServiceAt].filter((x): x is number => x !== null);
  return !works.length || first <= Math.min(...works);
}
