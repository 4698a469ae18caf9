import { describe, expect, it } from 'vitest';
import type { IndexedFragment } from '../db/recording-index.repository.js';
import { buildPlan } from './playback-plan.js';
import { intersect, subtract, summarise } from './timeline.js';
import { vodPlaylist } from './vod-playlist.js';

/** One-second fragments, a keyframe every `gop` of them, from `start` in file `fileId`. */
function run(fileId: number, start: number, count: number, gop = 2, firstSeq = 1): IndexedFragment[] {
  return Array.from({ length: count }, (_, i) => ({ id: firstSeq + i, cameraId: 7, samples: 25, fileId, seq: firstSeq + i, byteOffset: 1000 + i * 500, size: 500, startMs: start + i * 1000, endMs: start + (i + 1) * 1000, keyframe: i % gop === 0, sha256: 'x', origin: 'recorder' as const }));
}

describe('buildPlan', () => {
  const a = run(1, 10_000, 6); // 10 s … 16 s
  const b = run(2, 16_000, 4); // continues in the next file
  const c = run(3, 30_000, 4); // after a 10 s hole

  it('starts at the keyframe fragment before the instant and gives the offset to it', () => {
    const all = [...a, ...b, ...c];
    const p = buildPlan(7, 13_400, 40_000, a[2], all.filter((f) => f.startMs >= a[2]!.startMs), false);
    expect(p.segments[0]).toMatchObject({ fileId: 1, seq: 3, keyframe: true, mediaStartS: 0, discontinuity: false });
    expect(p.offsetS).toBeCloseTo(1.4, 6);
    expect(p.requestedInGap).toBe(false);
  });

  it('runs on across files and skips holes, reporting them and marking discontinuities', () => {
    const p = buildPlan(7, 13_400, 40_000, a[2], [...a.slice(2), ...b, ...c], false);
    const firstOfB = p.segments.find((s) => s.fileId === 2)!;
    expect(firstOfB.discontinuity).toBe(true);
    expect(p.gaps).toEqual([{ startMs: 20_000, endMs: 30_000 }]);
    const firstOfC = p.segments.find((s) => s.fileId === 3)!;
    expect(firstOfC).toMatchObject({ discontinuity: true, mediaStartS: 8 });
    expect(p.endMs).toBe(34_000);
  });

  it('starts at the next recording when the instant falls in a gap', () => {
    const p = buildPlan(7, 25_000, 40_000, b[2], [...b.slice(2), ...c], false);
    expect(p.requestedInGap).toBe(true);
    expect(p.offsetS).toBe(0);
    expect(p.segments[0]).toMatchObject({ fileId: 3, seq: 1 });
  });

  it('after a hole waits for a keyframe, and tells where to fetch ahead when cut', () => {
    const broken = [...run(1, 0, 3, 1), ...run(1, 10_000, 4, 2, 4).map((f, i) => ({ ...f, keyframe: i === 1 }))];
    const p = buildPlan(7, 0, 20_000, broken[0], broken, true);
    expect(p.segments.map((s) => s.seq)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(p.gaps).toEqual([{ startMs: 3000, endMs: 11_000 }]);
    expect(p.nextFromMs).toBe(14_000);
  });

  it('is empty before any recording', () => {
    const p = buildPlan(7, 5000, 6000, undefined, [], false);
    expect(p.segments).toEqual([]);
    expect(vodPlaylist(p)).toContain('#EXT-X-ENDLIST');
  });

  it('writes an HLS VOD playlist with one map per file and the start offset', () => {
    const text = vodPlaylist(buildPlan(7, 13_400, 40_000, a[2], [...a.slice(2), ...b], false));
    expect(text.match(/#EXT-X-MAP/g)).toHaveLength(2);
    expect(text).toContain('#EXT-X-START:TIME-OFFSET=1.400,PRECISE=YES');
    expect(text).toContain('files/2/1.m4s');
    expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
  });
});

describe('timeline', () => {
  it('merges file spans, subtracts gap events, and computes coverage up to now', () => {
    const t = summarise({ from: 0, to: 100_000, now: 80_000, files: [[10_000, 30_000], [30_500, 50_000], [60_000, 90_000]], gapEvents: [{ startMs: 40_000, endMs: 45_000 }], joinMs: 1500 });
    expect(t.ranges).toEqual([{ startMs: 10_000, endMs: 40_000 }, { startMs: 45_000, endMs: 50_000 }, { startMs: 60_000, endMs: 80_000 }]);
    expect(t.gaps).toEqual([{ startMs: 0, endMs: 10_000 }, { startMs: 40_000, endMs: 45_000 }, { startMs: 50_000, endMs: 60_000 }]);
    expect(t.recordedMs).toBe(55_000);
    expect(t.coveragePct).toBeCloseTo(68.75, 2);
  });

  it('subtracts and intersects ranges', () => {
    expect(subtract([{ startMs: 0, endMs: 10 }], [{ startMs: 2, endMs: 3 }, { startMs: 8, endMs: 20 }])).toEqual([{ startMs: 0, endMs: 2 }, { startMs: 3, endMs: 8 }]);
    expect(intersect([[{ startMs: 0, endMs: 10 }, { startMs: 20, endMs: 30 }], [{ startMs: 5, endMs: 25 }]])).toEqual([{ startMs: 5, endMs: 10 }, { startMs: 20, endMs: 25 }]);
  });
});
