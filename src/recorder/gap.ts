// When missing time between two recorded stretches counts as a gap: beyond one and a half frame
// intervals plus half a second, so jitter and cameras that send slightly fewer frames than they
// declare do not fill the event table with phantom gaps.

export interface Gap {
  startMs: number;
  endMs: number;
}

export function gapTolerance(frameIntervalMs: number): number {
  return 1.5 * frameIntervalMs + 500;
}

/** The gap between the end of the last recorded fragment and the start of the next, if any. */
export function detectGap(lastEndMs: number | undefined, nextStartMs: number, frameIntervalMs: number): Gap | undefined {
  if (lastEndMs === undefined) return undefined;
  if (nextStartMs - lastEndMs <= gapTolerance(frameIntervalMs)) return undefined;
  return { startMs: lastEndMs, endMs: nextStartMs };
}
