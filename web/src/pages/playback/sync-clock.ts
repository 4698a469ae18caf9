// One wall clock for up to four players. The clock, not any one camera, decides what instant
// is shown: each player is pulled to it, a player with nothing recorded at that instant is held
// (its tile says so) while the others go on, and when every player is in a gap the clock skips
// to the next recording. Pure: the page feeds it the players' times and applies its answers.
// A `.js` specifier so the Node tests compile this file too (Vite resolves it to the .ts).
import { placeInPlan, playerTimeAt, wallClockAt, type SegmentTimes } from '../../media/plan-time.js';

/** The master wall clock: an anchor (wall ms at a monotonic ms) advanced at a rate while running. */
export class WallClock {
  private wall: number | null = null;
  private at = 0;
  private speed = 1;
  running = false;

  constructor(private readonly monotonic: () => number = () => performance.now()) {}

  read(): number | null {
    if (this.wall === null) return null;
    return this.running ? this.wall + (this.monotonic() - this.at) * this.speed : this.wall;
  }

  set(wall: number): void {
    this.wall = wall;
    this.at = this.monotonic();
  }

  get rate(): number {
    return this.speed;
  }

  setRate(rate: number): void {
    const now = this.read();
    this.speed = rate;
    if (now !== null) this.set(now);
  }

  start(): void {
    const now = this.read();
    this.running = true;
    if (now !== null) this.set(now);
  }

  stop(): void {
    const now = this.read();
    this.running = false;
    if (now !== null) this.set(now);
  }
}

/** Paused players are put on the clock's frame exactly (half a frame). */
export const PAUSED_TOLERANCE_S = 0.02;
/**
 * A player held in a hole sits this far before it, on the last picture before the hole (inside
 * that frame at 25/s). A held player anywhere past this point is moved back to it.
 */
export const HOLD_BEFORE_HOLE_S = 0.03;
/** A running player within this of the clock is in step. */
export const IN_STEP_S = 0.04;
/**
 * Beyond this a running player is moved (a seek, which restarts decoding at a keyframe); closer,
 * it catches up by playing a little faster or slower, which costs nothing and never stalls.
 */
export function seekBeyondS(rate: number): number {
  return Math.max(1, 0.25 * rate);
}

/** A player's reading further than this from the clock is a jump (it crossed a hole), not drift. */
export const FOLLOW_LIMIT_MS = 600;

export interface Alignment {
  /** Nothing recorded at the clock's instant (a gap, or outside the plan): hold the player. */
  inGap: boolean;
  /** Move the player here (seconds), or null when it is close enough. */
  seekTo: number | null;
  /** The rate to play at now: the clock's, nudged by up to a half to close a small drift. */
  playbackRate: number;
}

/**
 * What to do with one player at the clock's instant `wall`. `paused` is the player's own state: a
 * paused player that is to run (leaving a gap, or when play is pressed) is first put on the
 * clock's frame, as a paused one is, so it starts from the right picture rather than catching up
 * from where it stopped.
 */
export function align(plan: SegmentTimes | undefined, currentTime: number, wall: number, rate: number, running: boolean, paused = !running): Alignment {
  const place = plan ? placeInPlan(plan, wall) : ({ at: 'outside' } as const);
  if (place.at !== 'recorded') {
    // Held on the last picture before the hole: a player that ran on into the recording after
    // it (up to a tick at the clock's rate) goes back, so it does not show that picture early.
    const holdAt = place.at === 'hole' ? Math.max(0, place.t - HOLD_BEFORE_HOLE_S) : null;
    return { inGap: true, seekTo: holdAt !== null && currentTime > holdAt + 0.001 ? holdAt : null, playbackRate: rate };
  }
  const target = place.t;
  const drift = currentTime - target;
  if (!running || paused) return { inGap: false, seekTo: Math.abs(drift) > PAUSED_TOLERANCE_S ? target : null, playbackRate: rate };
  if (Math.abs(drift) > seekBeyondS(rate)) return { inGap: false, seekTo: target, playbackRate: rate };
  if (Math.abs(drift) <= IN_STEP_S) return { inGap: false, seekTo: null, playbackRate: rate };
  // Close the drift within about half a second: ahead plays slower, behind faster.
  const nudge = Math.min(0.5, Math.max(-0.5, (-2 * drift) / Math.max(1, rate)));
  return { inGap: false, seekTo: null, playbackRate: rate * (1 + nudge) };
}

/**
 * The instant the clock should follow: the first player (in camera order) that is playing and
 * whose picture is within FOLLOW_LIMIT_MS of the clock — so a decoder that stalls holds the
 * clock instead of being seeked again and again — or null to keep the clock's own time.
 */
export function reference(players: readonly { plan: SegmentTimes | undefined; currentTime: number; playing: boolean }[], wall: number): number | null {
  for (const p of players) {
    if (!p.plan || !p.playing) continue;
    const shown = wallClockAt(p.plan, p.currentTime);
    if (shown !== null && Math.abs(shown - wall) <= FOLLOW_LIMIT_MS) return shown;
  }
  return null;
}

/** When no player has a recording at `wall`: the earliest recording after it, or null at the end of every plan. */
export function nextRecording(plans: readonly (SegmentTimes | undefined)[], wall: number): number | null {
  let next: number | null = null;
  for (const p of plans) {
    for (const s of p?.segments ?? []) {
      if (s.endMs > wall && (next === null || Math.max(s.startMs, wall) < next)) next = Math.max(s.startMs, wall);
      if (s.startMs > wall) break;
    }
  }
  return next;
}
