import { describe, expect, it } from 'vitest';
import { planBackfill, recordingGaps } from './backfill-plan.js';

const r = (startMs: number, endMs: number) => ({ startMs, endMs });

describe('backfill plan', () => {
  it('finds the gaps of our recording longer than the minimum', () => {
    expect(recordingGaps({ from: 0, to: 100_000, recorded: [r(10_000, 30_000), r(30_500, 50_000), r(60_000, 90_000)], minMs: 2000 })).toEqual([r(0, 10_000), r(50_000, 60_000), r(90_000, 100_000)]);
    expect(recordingGaps({ from: 0, to: 10_000, recorded: [r(-5000, 20_000)], minMs: 2000 })).toEqual([]);
  });

  it('downloads only where we have a gap and the device has a recording', () => {
    const plan = planBackfill({ from: 0, to: 100_000, recorded: [r(10_000, 50_000), r(60_000, 90_000)], device: [r(5000, 55_000), r(58_000, 59_000), r(89_000, 120_000)], minMs: 2000, maxPieceMs: 3_600_000 });
    // 0–10 s: device from 5 s; 50–60 s: device to 55 s (58–59 s is too short); 90–100 s: all.
    expect(plan).toEqual([r(5000, 10_000), r(50_000, 55_000), r(90_000, 100_000)]);
  });

  it('cuts long pieces, joining a short tail to the piece before it', () => {
    expect(planBackfill({ from: 0, to: 25_000, recorded: [], device: [r(0, 25_000)], minMs: 2000, maxPieceMs: 10_000 })).toEqual([r(0, 10_000), r(10_000, 20_000), r(20_000, 25_000)]);
    expect(planBackfill({ from: 0, to: 21_000, recorded: [], device: [r(0, 21_000)], minMs: 2000, maxPieceMs: 10_000 })).toEqual([r(0, 10_000), r(10_000, 21_000)]);
  });

  it('asks for whole seconds inside the gap (t= is in seconds)', () => {
    expect(planBackfill({ from: 0, to: 20_000, recorded: [r(0, 4_321), r(9_870, 20_000)], device: [r(0, 20_000)], minMs: 2000, maxPieceMs: 60_000 })).toEqual([r(5000, 9000)]);
  });

  it('plans nothing where nothing is missing or the device holds nothing', () => {
    expect(planBackfill({ from: 0, to: 10_000, recorded: [r(0, 10_000)], device: [r(0, 10_000)], minMs: 2000, maxPieceMs: 60_000 })).toEqual([]);
    expect(planBackfill({ from: 0, to: 10_000, recorded: [], device: [], minMs: 2000, maxPieceMs: 60_000 })).toEqual([]);
  });
});
