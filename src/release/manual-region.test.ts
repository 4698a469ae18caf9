// A region an operator draws on one frame and marks again on a later one moves between them.
import { describe, expect, it } from 'vitest';
import { manualBoxAt } from './masker.js';

describe('manual regions', () => {
  it('stays put without a second box', () => {
    expect(manualBoxAt({ from: 10, to: 20, box: { x: 5, y: 6, w: 7, h: 8 } }, 15)).toEqual({ x: 5, y: 6, w: 7, h: 8 });
  });

  it('moves along the line to the second box, grown by a frame\'s movement', () => {
    const m = { from: 0, to: 10, box: { x: 0, y: 0, w: 20, h: 10 }, toBox: { x: 100, y: 50, w: 40, h: 10 } };
    // 10 px a frame across: grown 10 px on every side.
    expect(manualBoxAt(m, 0)).toEqual({ x: -10, y: -10, w: 40, h: 30 });
    expect(manualBoxAt(m, 5)).toEqual({ x: 40, y: 15, w: 50, h: 30 });
    expect(manualBoxAt(m, 10)).toEqual({ x: 90, y: 40, w: 60, h: 30 });
  });
});
