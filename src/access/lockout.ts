// Lockout after repeated failed logins: a pure decision over the recent failures and a clock.

export interface LockoutPolicy {
  /** Failures within the window that lock the account. */
  maxFailures: number;
  windowMs: number;
  /** How long the lock lasts after the failure that set it. */
  lockMs: number;
}

/** Locked until when (epoch ms), or null. `failures` are the times of failed attempts. */
export function lockedUntil(failures: readonly number[], now: number, p: LockoutPolicy): number | null {
  const sorted = [...failures].sort((a, b) => a - b);
  // Find the latest failure that completed a run of maxFailures inside the window.
  for (let i = sorted.length - 1; i >= p.maxFailures - 1; i--) {
    const last = sorted[i]!;
    const first = sorted[i - p.maxFailures + 1]!;
    if (last - first <= p.windowMs) {
      const until = last + p.lockMs;
      return until > now ? until : null;
    }
  }
  return null;
}
