// What lock an object of a recording file carries: the COMPLIANCE retain-until date is the end of
// the file's legal retention (the longest period of the camera's jurisdiction profile that
// reaches it: minimum, key target, incident — the cleaner's own rule), and the legal hold is on
// while any of Vigil's holds (active or awaiting release) covers it. Pure: policy, marks, holds.
import { decideRetention, overlaps, type CameraPolicy, type Hold, type RetentionFile, type TimeRange } from './retention-decision.js';

export interface ObjectLockDecision {
  /** Epoch ms; null when no period is known (the footage is then kept, with no date). */
  retainUntil: number | null;
  legalHold: boolean;
}

/** What decides the locks of a batch of footage: each camera's periods, the marks and the holds. */
export interface LockInputs {
  policies: Map<number, CameraPolicy>;
  marks: { keyTargets: readonly TimeRange[]; incidents: readonly TimeRange[] };
  holds: readonly Hold[];
}

export function objectLockFor(
  file: Omit<RetentionFile, 'closed'>,
  policy: CameraPolicy | undefined,
  marks: { keyTargets: readonly TimeRange[]; incidents: readonly TimeRange[] },
  holds: readonly Hold[],
): ObjectLockDecision {
  const cameras = new Map(policy ? [[file.cameraId, policy]] : []);
  // Decided as of the file's end: every period that applies is still running then.
  const d = decideRetention([{ ...file, closed: true }], { cameras, ...marks }, [], file.endedAt);
  const decided = d.keep[0] ?? d.remove[0];
  return {
    retainUntil: decided?.expiresAt ?? null,
    legalHold: holds.some((h) => h.cameraId === file.cameraId && overlaps(h, file.startedAt, file.endedAt)),
  };
}
