// A playback plan's two clocks: the player's media time (seconds, the recorded fragments laid
// end to end, holes left out) and the wall clock the fragments were recorded at. Pure and
// import-free, so the page's sync clock and the tests use the same mapping as the player.

/** The part of a plan that maps times: its segments in order, and the holes between them. */
export interface SegmentTimes {
  segments: readonly { startMs: number; endMs: number; mediaStartS: number }[];
  /**
   * The holes the server found (missing time beyond its tolerance). Between two segments outside
   * a hole is a sliver: fragments are stamped with their first frame's arrival, so the next may
   * begin a few ms after the last one's media ends. A sliver is recorded time, not a gap.
   */
  gaps: readonly { startMs: number; endMs: number }[];
}

/** Wall-clock ms shown at player time `t` (seconds), or null outside every fragment. */
export function wallClockAt(plan: SegmentTimes, t: number): number | null {
  for (const s of plan.segments) {
    const len = (s.endMs - s.startMs) / 1000;
    if (t >= s.mediaStartS - 0.001 && t < s.mediaStartS + len + 0.05) return Math.round(s.startMs + (t - s.mediaStartS) * 1000);
  }
  return null;
}

/** Where a wall-clock instant falls: recorded (at player time `t`), in a hole (which is at player time `t`, where the recording after it begins), or outside the plan. */
export type Placement = { at: 'recorded'; t: number } | { at: 'hole'; t: number } | { at: 'outside' };

export function placeInPlan(plan: SegmentTimes, wallMs: number): Placement {
  const { segments } = plan;
  for (let k = 0; k < segments.length; k++) {
    const s = segments[k]!;
    if (wallMs >= s.startMs && wallMs < s.endMs) return { at: 'recorded', t: s.mediaStartS + (wallMs - s.startMs) / 1000 };
    const next = segments[k + 1];
    if (next && wallMs >= s.endMs && wallMs < next.startMs) {
      // A sliver maps to the next segment's start; a hole the server listed is a hole.
      return { at: plan.gaps.some((g) => wallMs >= g.startMs && wallMs < g.endMs) ? 'hole' : 'recorded', t: next.mediaStartS };
    }
  }
  return { at: 'outside' };
}

/** Player time (seconds) for a wall-clock instant within the plan, or null in a hole / outside. */
export function playerTimeAt(plan: SegmentTimes, wallMs: number): number | null {
  const p = placeInPlan(plan, wallMs);
  return p.at === 'recorded' ? p.t : null;
}
