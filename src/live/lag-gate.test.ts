// The live viewer's lag rule on frame timings as they reach the process: 25 fps, a keyframe
// each second, arrival times as a starved or healthy process would read them.
import { describe, expect, it } from 'vitest';
import { LagGate } from './lag-gate.js';

const FRAME = 3600; // 90 kHz ticks a frame at 25 fps

/** Frames n = from…to-1 at `arrival(n)`; returns the indices that passed. */
function feed(gate: LagGate, from: number, to: number, arrival: (n: number) => number, pts = (n: number) => 1_000_000 + n * FRAME): number[] {
  const passed: number[] = [];
  for (let n = from; n < to; n++) if (gate.pass(pts(n), n % 25 === 0, arrival(n))) passed.push(n);
  return passed;
}

describe('LagGate', () => {
  it('passes every frame of a stream read on time, with jitter well under a second', () => {
    const gate = new LagGate();
    const passed = feed(gate, 0, 2500, (n) => 5000 + n * 40 + ((n * 7919) % 300));
    expect(passed.length).toBe(2500);
    expect(gate.dropped).toBe(0);
  });

  it('drops a backlog read after a 6 s stall and resumes at the first keyframe on time', () => {
    const gate = new LagGate();
    expect(feed(gate, 0, 250, (n) => n * 40).length).toBe(250);
    // Frames 250…399 were stuck in the socket during a stall, then read in a burst 2 ms apart;
    // from frame 400 on the process keeps up again.
    const stallEnd = 250 * 40 + 6000;
    const passed = feed(gate, 250, 600, (n) => (n < 400 ? stallEnd + (n - 250) * 2 : Math.max(stallEnd + 300, n * 40)));
    // Everything read more than a second late is gone; the picture resumes at a keyframe.
    const first = passed[0]!;
    expect(first % 25).toBe(0);
    for (const n of passed) expect(Math.max(stallEnd + (n - 250) * 2, n * 40) - n * 40).toBeLessThanOrEqual(1000);
    expect(passed).toEqual(Array.from({ length: 600 - first }, (_, i) => first + i));
    expect(first).toBeLessThanOrEqual(425);
  });

  it('tolerates a camera clock 500 ppm slow for hours', () => {
    const gate = new LagGate();
    // Its 90 kHz clock advances 0.05 % less than ours: arrivals drift later by 0.5 ms a second.
    expect(feed(gate, 0, 25 * 3600 * 3, (n) => n * 40 * 1.0005).length).toBe(25 * 3600 * 3);
  });

  it('starts over when the stream clock jumps back or its timing moves for good', () => {
    const gate = new LagGate();
    feed(gate, 0, 100, (n) => n * 40);
    // A reconnect: presentation times start again lower, arrivals continue.
    expect(feed(gate, 100, 200, (n) => n * 40, (n) => (n - 100) * FRAME).length).toBe(100);
    // The camera's clock steps 5 s slower for good (its frames look 5 s late from then on, yet
    // keep coming at the camera's pace): dropped at first, then taken as the new timing at a
    // keyframe once three seconds have shown it is no backlog.
    const passed = feed(gate, 200, 500, (n) => n * 40 + 5000, (n) => (n - 100) * FRAME);
    expect(gate.dropped).toBeGreaterThan(0);
    expect(passed[0]! % 25).toBe(0);
    expect(passed[0]! - 200).toBeLessThanOrEqual(3000 / 40 + 25);
    expect(passed).toEqual(Array.from({ length: 500 - passed[0]! }, (_, i) => passed[0]! + i));
    gate.reset();
    expect(gate.pass(0, false, 1e9)).toBe(true);
  });
});
