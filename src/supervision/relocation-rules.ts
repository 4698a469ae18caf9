// Removal and relocation (拆除 / 移动, R7.3), pure. The notice period is the health module's
// check (same rule, one place); here the coverage that must come back after the works, judged
// against what the recorder actually indexed.
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { checkNotice, workOrderDeadline, type NoticeCheck, type NoticeKind } from '../health/deadlines.js';

export type { NoticeCheck, NoticeKind };
export { checkNotice };

export type RestoreState = 'restored' | 'restored-late' | 'pending' | 'overdue';

export interface CoverageRestore {
  state: RestoreState;
  /** Null when the profile sets no deadline (still reported as pending or restored). */
  dueAt: number | null;
  hours: number | null;
  article: string | null;
  /** The first recorded instant at or after the works, from the recorder's index. */
  restoredAt: number | null;
  basis: string;
}

/**
 * Coverage after works that took the cameras down at `worksAt` (HRB-19: within 24 hours).
 * `firstRecordedAfter` is the start of the first footage the recorder indexed for the place's
 * cameras at or after `worksAt` — the index, not anyone's word, says when coverage came back.
 */
export function coverageRestore(profile: JurisdictionProfile, worksAt: number, firstRecordedAfter: number | null, now: number): CoverageRestore {
  const d = workOrderDeadline(profile, 'relocation', worksAt);
  const restoredAt = firstRecordedAfter !== null && firstRecordedAfter >= worksAt ? firstRecordedAfter : null;
  let state: RestoreState;
  if (restoredAt !== null) state = d.dueAt !== null && restoredAt > d.dueAt ? 'restored-late' : 'restored';
  else state = d.dueAt !== null && now > d.dueAt ? 'overdue' : 'pending';
  return { state, dueAt: d.dueAt, hours: d.hours, article: d.article, restoredAt, basis: d.basis };
}

/** What happens to the footage a removed system stored (AH-15: the police supervise it). */
export const FOOTAGE_DISPOSITIONS = ['kept-until-retention-ends', 'moved-to-replacement', 'handed-to-police', 'under-legal-hold'] as const;
export type FootageDisposition = (typeof FOOTAGE_DISPOSITIONS)[number];
