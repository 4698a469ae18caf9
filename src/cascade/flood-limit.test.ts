import { describe, expect, it } from 'vitest';
import { FloodLimit } from './flood-limit.js';

describe('flood limit', () => {
  it('lets a burst through, then the rate; refusals make one burst reported once after a quiet second', () => {
    const f = new FloodLimit({ ratePerSecond: 2, burst: 3 });
    const at = 1_000_000;
    expect([0, 1, 2, 3, 4].map(() => f.allow('10.0.0.1', at))).toEqual([true, true, true, false, false]);
    // Another peer has its own bucket.
    expect(f.allow('10.0.0.2', at)).toBe(true);
    expect(f.drain(at + 500)).toEqual([]);
    // Half a second later one token has come back.
    expect(f.allow('10.0.0.1', at + 500)).toBe(true);
    expect(f.allow('10.0.0.1', at + 500)).toBe(false);
    expect(f.drain(at + 1000)).toEqual([]);
    expect(f.drain(at + 1500)).toEqual([{ peer: '10.0.0.1', refused: 3, from: at, to: at + 500 }]);
    expect(f.drain(at + 5000)).toEqual([]);
  });

  it('reports a flood that never stops once a minute', () => {
    const f = new FloodLimit({ ratePerSecond: 1, burst: 1, maxBurstMs: 60_000 });
    let now = 0;
    let reports = 0;
    for (; now <= 130_000; now += 10) {
      f.allow('p', now);
      reports += f.drain(now).length;
    }
    expect(reports).toBe(2);
  });
});
