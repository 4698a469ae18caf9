// Which recording files may go (R4.1–R4.3): a pure function of the index, the policy, the holds
// and the clock. A file goes only whole, only when closed, only when every period that applies
// to any part of it has run out, and only when no legal hold touches it. Where a period is not
// known the file stays: deleting footage by mistake cannot be undone, keeping it can.
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';

export const DAY_MS = 86_400_000;

export interface RetentionFile {
  id: number;
  cameraId: number;
  startedAt: number;
  endedAt: number;
  closed: boolean;
}

export interface Period {
  days: number;
  article: string;
}

/** The periods of one camera, from its effective jurisdiction profile. */
export interface CameraPolicy {
  profileId: string;
  /** Null when the profile sets none: nothing of the camera is deleted. */
  minimum: Period | null;
  /** Applies when the camera is marked a key anti-terror target (防范恐怖袭击重点目标). */
  keyTarget: Period | null;
  /** Applies to footage in ranges marked as important incident information. */
  incident: Period | null;
}

export interface TimeRange {
  cameraId: number;
  /** Null: unbounded on that side. */
  from: number | null;
  to: number | null;
}

export interface RetentionPolicy {
  cameras: ReadonlyMap<number, CameraPolicy>;
  /** Key-target marks (a range, or the whole camera when unbounded). */
  keyTargets: readonly TimeRange[];
  incidents: readonly TimeRange[];
}

export interface Hold extends TimeRange {
  id: number;
}

export type KeepReason = 'open' | 'no-policy' | 'no-period' | 'within-retention' | 'hold';

export interface FileDecision {
  fileId: number;
  cameraId: number;
  /** When the longest applicable period ends (undefined when none is known). */
  expiresAt?: number;
  /** The period that governs, with its article. */
  period?: Period & { kind: 'minimum' | 'key-target' | 'incident' };
  holdIds?: number[];
}

export interface RetentionDecision {
  remove: FileDecision[];
  keep: (FileDecision & { reason: KeepReason })[];
}

export function policyFromProfile(p: JurisdictionProfile): CameraPolicy {
  const period = (s: JurisdictionProfile['retention']['minimumDays']): Period | null => (s.value === null ? null : { days: s.value, article: s.article });
  return { profileId: p.id, minimum: period(p.retention.minimumDays), keyTarget: period(p.retention.keyTargetDays), incident: period(p.retention.incidentDays) };
}

/**
 * `days` after `ms`. Periods of whole years (730 days = "two years", HRB-28) are also counted in
 * calendar years and the later end is taken, so a leap day never shortens them.
 */
export function addPeriod(ms: number, days: number): number {
  const plain = ms + days * DAY_MS;
  if (days % 365 !== 0) return plain;
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + days / 365);
  return Math.max(plain, d.getTime());
}

export function overlaps(r: { from: number | null; to: number | null }, from: number, to: number): boolean {
  return (r.from === null || r.from <= to) && (r.to === null || r.to >= from);
}

function byCamera<T extends TimeRange>(list: readonly T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of list) {
    const l = m.get(r.cameraId);
    if (l) l.push(r);
    else m.set(r.cameraId, [r]);
  }
  return m;
}

export function decideRetention(files: readonly RetentionFile[], policy: RetentionPolicy, holds: readonly Hold[], now: number): RetentionDecision {
  const out: RetentionDecision = { remove: [], keep: [] };
  const holdsOf = byCamera(holds);
  const keyOf = byCamera(policy.keyTargets);
  const incidentOf = byCamera(policy.incidents);
  for (const f of files) {
    const base = { fileId: f.id, cameraId: f.cameraId };
    if (!f.closed) {
      out.keep.push({ ...base, reason: 'open' });
      continue;
    }
    const cam = policy.cameras.get(f.cameraId);
    if (!cam) {
      out.keep.push({ ...base, reason: 'no-policy' });
      continue;
    }
    if (!cam.minimum) {
      out.keep.push({ ...base, reason: 'no-period' });
      continue;
    }
    // Every period that reaches any part of the file; the longest one rules.
    const candidates: (Period & { kind: 'minimum' | 'key-target' | 'incident' })[] = [{ ...cam.minimum, kind: 'minimum' }];
    if (cam.keyTarget && (keyOf.get(f.cameraId) ?? []).some((r) => overlaps(r, f.startedAt, f.endedAt))) candidates.push({ ...cam.keyTarget, kind: 'key-target' });
    if (cam.incident && (incidentOf.get(f.cameraId) ?? []).some((r) => overlaps(r, f.startedAt, f.endedAt))) candidates.push({ ...cam.incident, kind: 'incident' });
    let period = candidates[0]!;
    let expiresAt = addPeriod(f.endedAt, period.days);
    for (const c of candidates.slice(1)) {
      const e = addPeriod(f.endedAt, c.days);
      if (e > expiresAt) {
        expiresAt = e;
        period = c;
      }
    }
    const held = (holdsOf.get(f.cameraId) ?? []).filter((h) => overlaps(h, f.startedAt, f.endedAt)).map((h) => h.id);
    const decided = { ...base, expiresAt, period };
    if (held.length) out.keep.push({ ...decided, holdIds: held, reason: 'hold' });
    else if (now < expiresAt) out.keep.push({ ...decided, reason: 'within-retention' });
    else out.remove.push(decided);
  }
  return out;
}
