import { describe, expect, it } from 'vitest';
import { boxesAt, IouTracker, type Sighting } from './tracker.js';

const at = (x: number, y: number, kind: Sighting['kind'] = 'text'): Sighting => ({ x, y, w: 40, h: 20, kind, score: 0.9 });

describe('IoU tracker', () => {
  it('links a fast box by its predicted position and interpolates the frames between sightings', () => {
    const t = new IouTracker();
    // 30 px a detector frame: without prediction the third sighting would not overlap the second's box.
    for (let k = 0; k < 4; k++) t.add(k * 5, [at(100 + 30 * k, 50)]);
    const tracks = t.tracks();
    expect(tracks).toHaveLength(1);
    const [b] = boxesAt(tracks, 7, { pad: 5, margin: 0 });
    expect(b!.box.x).toBeLessThanOrEqual(100 + 42);
    expect(b!.box.x + b!.box.w).toBeGreaterThanOrEqual(100 + 42 + 40);
  });

  it('pads a track before its first and after its last sighting, and not beyond', () => {
    const t = new IouTracker({ maxMisses: 0 });
    t.add(10, [at(0, 0)]);
    t.add(15, [at(0, 0)]);
    t.add(20, []);
    const tracks = t.tracks();
    expect(boxesAt(tracks, 5, { pad: 5, margin: 0 })).toHaveLength(1);
    expect(boxesAt(tracks, 4, { pad: 5, margin: 0 })).toHaveLength(0);
    expect(boxesAt(tracks, 20, { pad: 5, margin: 0 })).toHaveLength(1);
    expect(boxesAt(tracks, 21, { pad: 5, margin: 0 })).toHaveLength(0);
  });

  it('coasts through missed detector frames and ends a track missed too often', () => {
    const t = new IouTracker({ maxMisses: 1 });
    t.add(0, [at(0, 0)]);
    t.add(5, [at(10, 0)]);
    t.add(10, []);
    t.add(15, []);
    const [track] = t.tracks();
    expect(track!.until).toBe(10);
    const [coasting] = boxesAt([track!], 13, { pad: 5, margin: 0 });
    // 8 frames past the last sighting at 2 px a frame: predicted at x 26, reaching back to where
    // it would be had it stopped at its last sighting (x 10), 16 px of slack.
    expect(coasting!.box.x).toBeCloseTo(26 - 2 * 8, 5);
    expect(coasting!.box.x + coasting!.box.w).toBeCloseTo(26 + 2 * 8 + at(0, 0).w, 5);
    expect(boxesAt([track!], 16, { pad: 5, margin: 0 })).toHaveLength(0);
  });

  it('keeps kinds apart and grows boxes by the margin', () => {
    const t = new IouTracker();
    t.add(0, [at(0, 0, 'text'), at(0, 0, 'face')]);
    const out = boxesAt(t.tracks(), 0, { pad: 0, margin: 0.5 });
    expect(out.map((o) => o.kind).sort()).toEqual(['face', 'text']);
    expect(out[0]!.box).toEqual({ x: -20, y: -10, w: 80, h: 40 });
  });
});
