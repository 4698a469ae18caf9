// How full the recordings volume is, and the level that fullness is at (R4.1, R4.2). Read by the
// recorder (to stop starting fragments at "full"), the retention role's storage monitor (alarms)
// and the integrity routes, each on its own, so they agree even when the roles run apart.
import { statfs } from 'node:fs/promises';

export type StorageLevel = 'ok' | 'warning' | 'critical' | 'full';

export interface StorageThresholds {
  /** Fractions of the volume used, 0..1, ascending. */
  warning: number;
  critical: number;
  full: number;
}

export const DEFAULT_THRESHOLDS: StorageThresholds = { warning: 0.85, critical: 0.9, full: 0.95 };

/** The thresholds as configured (`retention.disk*Percent`), as fractions. */
export function storageThresholds(r: { diskWarningPercent: number; diskCriticalPercent: number; diskFullPercent: number }): StorageThresholds {
  return { warning: r.diskWarningPercent / 100, critical: r.diskCriticalPercent / 100, full: r.diskFullPercent / 100 };
}

export function storageLevel(usedFraction: number, t: StorageThresholds): StorageLevel {
  if (usedFraction >= t.full) return 'full';
  if (usedFraction >= t.critical) return 'critical';
  if (usedFraction >= t.warning) return 'warning';
  return 'ok';
}

export interface DiskUsage {
  freeBytes: number;
  totalBytes: number;
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  // bavail: what an unprivileged writer can still use (the recorder is one).
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}
