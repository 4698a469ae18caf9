// The playback page's one clock for up to four players: pulling each player to it (nudging a
// small drift, seeking a large one, holding a player in its gap), following a player that plays
// in step, and skipping a gap that every player is in.
import { describe, expect, it } from 'vitest';
import { align, FOLLOW_LIMIT_MS, HOLD_BEFORE_HOLE_S, nextRecording, reference, WallClock } from '../../web/src/pages/playback/sync-clock.js';

// Two files with a 5 s hole: media time runs on without the hole.
const plan = {
  segments: [
    { startMs: 10_000, endMs: 12_000, mediaStartS: 0 },
    { startMs: 12_000, endMs: 14_000, mediaStartS: 2 },
    { startMs: 19_000, endMs: 21_000, mediaStartS: 4 },
  ],
  gaps: [{ startMs: 14_000, endMs: 19_000 }],
};
const later = { segments: [{ startMs: 16_000, endMs: 30_000, mediaStartS: 0 }], gaps: [] };
// Fragments stamped with their first frame's arrival: the second came 30 ms after the first's
// media ended (a busy machine), which the server did not count as a hole.
const sliver = {
  segments: [
    { startMs: 10_000, endMs: 12_000, mediaStartS: 0 },
    { startMs: 12_030, endMs: 14_000, mediaStartS: 2 },
  ],
  gaps: [],
};

describe('WallClock', () => {
  it('runs at its rate from the instant set, and holds when stopped', () => {
    let t = 0;
    const c = new WallClock(() => t);
    expect(c.read()).toBeNull();
    c.set(10_000);
    t = 500;
    expect(c.read()).toBe(10_000);
    c.start();
    t = 1500;
    expect(c.read()).toBe(11_000);
    c.setRate(4);
    t = 2000;
    expect(c.read()).toBe(13_000);
    c.stop();
    t = 9000;
    expect(c.read()).toBe(13_000);
    expect(c.rate).toBe(4);
  });
});

describe('align', () => {
  it('leaves a player in step alone and puts a paused one on the exact frame', () => {
    expect(align(plan, 1.03, 11_000, 2, true)).toEqual({ inGap: false, seekTo: null, playbackRate: 2 });
    expect(align(plan, 1.03, 11_000, 2, false)).toEqual({ inGap: false, seekTo: 1, playbackRate: 2 });
    expect(align(plan, 1.01, 11_000, 2, false).seekTo).toBeNull();
  });

  it('nudges a small drift by the rate, slower when ahead and faster when behind, and seeks a large one', () => {
    const ahead = align(plan, 1.3, 11_000, 2, true);
    expect(ahead.seekTo).toBeNull();
    expect(ahead.playbackRate).toBeLessThan(2);
    expect(ahead.playbackRate).toBeGreaterThanOrEqual(1);
    const behind = align(plan, 0.7, 11_000, 1, true);
    expect(behind.playbackRate).toBeGreaterThan(1);
    expect(behind.playbackRate).toBeLessThanOrEqual(1.5);
    expect(align(plan, 3.5, 11_000, 1, true)).toMatchObject({ seekTo: 1, playbackRate: 1 });
  });

  it('holds a player whose recording has a hole at the instant, and finds it again after', () => {
    // Held on the last picture before the hole (at media 4 s): one that ran on past it goes back.
    expect(align(plan, 4.01, 16_000, 1, true)).toEqual({ inGap: true, seekTo: 4 - HOLD_BEFORE_HOLE_S, playbackRate: 1 });
    expect(align(plan, 3.99, 16_000, 1, true).seekTo).toBe(4 - HOLD_BEFORE_HOLE_S);
    expect(align(plan, 3.9, 16_000, 1, true)).toMatchObject({ inGap: true, seekTo: null });
    expect(align(plan, 4 - HOLD_BEFORE_HOLE_S, 16_000, 1, true).seekTo).toBeNull();
    // Outside the plan there is nothing to go back to.
    expect(align(plan, 6, 22_000, 1, true)).toMatchObject({ inGap: true, seekTo: null });
    expect(align(plan, 4.01, 19_000, 1, true)).toEqual({ inGap: false, seekTo: null, playbackRate: 1 });
    expect(align(undefined, 0, 19_000, 1, true).inGap).toBe(true);
  });

  it("starts a paused player on the clock's frame, not from where it stopped", () => {
    // Held in its hole, the player had run 155 ms into the recording after it before it was paused.
    expect(align(plan, 4.155, 19_020, 2, true, true)).toEqual({ inGap: false, seekTo: 4.02, playbackRate: 2 });
    expect(align(plan, 4.03, 19_020, 2, true, true).seekTo).toBeNull();
    // Playing, the same drift is nudged away instead.
    expect(align(plan, 4.155, 19_020, 2, true, false)).toMatchObject({ seekTo: null });
  });

  it('plays on through a sliver between fragments that is not a hole', () => {
    expect(align(sliver, 2, 12_010, 1, true)).toEqual({ inGap: false, seekTo: null, playbackRate: 1 });
    expect(align(sliver, 1.99, 12_010, 1, false)).toEqual({ inGap: false, seekTo: null, playbackRate: 1 });
    expect(align(sliver, 2.5, 12_530, 1, true).inGap).toBe(false);
    // The same 30 ms listed as a hole holds the player.
    expect(align({ ...sliver, gaps: [{ startMs: 12_000, endMs: 12_030 }] }, 2, 12_010, 1, true).inGap).toBe(true);
    // Before the first and after the last segment nothing is recorded.
    expect(align(sliver, 0, 9_990, 1, true).inGap).toBe(true);
    expect(align(sliver, 4, 14_000, 1, true).inGap).toBe(true);
  });
});

describe('reference and skipping', () => {
  it('follows the first player playing near the clock, not one that jumped over its hole', () => {
    const crossed = { plan, currentTime: 4.2, playing: true }; // shows 19.2 s while the clock is at 14 s
    const other = { plan: later, currentTime: 0, playing: true };
    expect(reference([crossed, { ...other, plan: { segments: [{ startMs: 13_000, endMs: 30_000, mediaStartS: 0 }], gaps: [] }, currentTime: 1.05 }], 14_000)).toBe(14_050);
    expect(reference([crossed], 14_000)).toBeNull();
    expect(reference([{ plan, currentTime: 1, playing: false }], 11_000)).toBeNull();
    expect(reference([{ plan, currentTime: 1 + FOLLOW_LIMIT_MS / 1000, playing: true }], 11_000)).toBe(11_000 + FOLLOW_LIMIT_MS);
  });

  it('skips to the earliest recording after an instant no player has, or ends', () => {
    expect(nextRecording([plan, later], 15_000)).toBe(16_000);
    expect(nextRecording([plan], 15_000)).toBe(19_000);
    expect(nextRecording([plan, undefined], 13_000)).toBe(13_000);
    expect(nextRecording([plan], 21_000)).toBeNull();
  });
});
