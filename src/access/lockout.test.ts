import { describe, expect, it } from 'vitest';
import { lockedUntil } from './lockout.js';

const P = { maxFailures: 3, windowMs: 60_000, lockMs: 300_000 };

describe('lockout', () => {
  it('locks after N failures within the window, until the lock runs out', () => {
    expect(lockedUntil([0, 10_000], 20_000, P)).toBe(null);
    expect(lockedUntil([0, 10_000, 50_000], 51_000, P)).toBe(350_000);
    expect(lockedUntil([0, 10_000, 50_000], 349_999, P)).toBe(350_000);
    expect(lockedUntil([0, 10_000, 50_000], 350_000, P)).toBe(null);
  });

  it('does not lock for failures spread wider than the window', () => {
    expect(lockedUntil([0, 40_000, 80_000, 120_000], 121_000, P)).toBe(null);
    expect(lockedUntil([120_000, 0, 100_000, 110_000], 121_000, P)).toBe(420_000);
  });
});
