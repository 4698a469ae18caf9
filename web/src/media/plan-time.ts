// A playback plan's two clocks: the player's media time (seconds, the recorded fragments laid
// end to end, holes left out) and the wall clock the fragments were recorded at. Pure and
// import-free, so the page's sync clock and the tests use the same mapping as the player.

/** The part of a plan that maps times: its segments in order. */
export interface SegmentTimes {
  segments: readonly { startMs: number; endMs: number; mediaStartS: number }[];
}

/** Wall-clock ms shown at player time `t` (seconds), or null outside every fragment. */
export function wallClockAt(plan: SegmentTimes, t: number): number | null {
  for (const s of plan.segments) {
    const len = (s.endMs - s.startMs) / 1000;
    if (t >= s.mediaStartS - 0.001 && t < s.mediaStartS + len + 0.05) return Math.round(s.startMs + (t - s.mediaStartS) * 1000);
  }
  return null;
}

/** Player time (seconds) for a wall-clock instant within the plan, or null in a gap / outside. */
export function playerTimeAt(plan: SegmentTimes, wallMs: number): number | null {
  for (const s of plan.segments) if (wallMs >= s.startMs && wallMs < s.endMs) return s.mediaStartS + (wallMs - s.startMs) / 1000;
  return null;
}
