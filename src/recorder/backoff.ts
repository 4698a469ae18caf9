// Reconnect delays: exponential between the configured bounds with "equal jitter" (half fixed,
// half random), so cameras that failed together do not retry together.

export interface BackoffBounds {
  minMs: number;
  maxMs: number;
}

/** Delay before retry number `attempt` (0 = first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const min = Math.max(1, bounds.minMs);
  const max = Math.max(min, bounds.maxMs);
  const ceiling = Math.min(max, min * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
