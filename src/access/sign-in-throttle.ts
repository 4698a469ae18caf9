// How long a sign-in attempt must wait: a pure decision over the recent failures and a clock.
// Failures count per (login name, source address) and per address, never per name alone: a
// stranger who types a known name wrong from elsewhere slows only themselves, never the owner.

export interface SignInThrottlePolicy {
  /** Failures of one name from one address that cost nothing… */
  freeFailures: number;
  /** …after which each further attempt waits twice as long as the one before, from this… */
  firstDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** Failures from one address, under any names, within the window that stop it trying. */
  perAddressFailures: number;
}

/**
 * Milliseconds to wait before the next attempt may be judged, or 0. `pair` are the failure
 * times of this name from this address, `address` those of this address under any name.
 */
export function signInWait(pair: readonly number[], address: readonly number[], now: number, p: SignInThrottlePolicy): number {
  const recentPair = pair.filter((t) => t > now - p.windowMs).sort((a, b) => a - b);
  const recentAddress = address.filter((t) => t > now - p.windowMs).sort((a, b) => a - b);
  let wait = 0;
  const over = recentPair.length - p.freeFailures;
  if (over >= 0) {
    const delay = Math.min(p.firstDelayMs * 2 ** over, p.maxDelayMs);
    wait = Math.max(wait, recentPair[recentPair.length - 1]! + delay - now);
  }
  if (recentAddress.length >= p.perAddressFailures) {
    // Until enough of them have aged out of the window to leave room for one more.
    const oldestToGo = recentAddress[recentAddress.length - p.perAddressFailures]!;
    wait = Math.max(wait, oldestToGo + p.windowMs - now);
  }
  return Math.max(0, wait);
}
