// The detectors' input made from a decoded 4:2:0 frame, and the masks drawn into one: colours
// converted as BT.601 limited range says, a region cut and scaled, and a pixelated box made of
// its cells' means.
import { describe, expect, it } from 'vitest';
import { yuv420ToRgb } from './frame.js';
import { maskFrame, yuv420Layout } from './mask-render.js';

function solid(width: number, height: number, y: number, u: number, v: number): Uint8Array {
  const l = yuv420Layout(width, height);
  const f = new Uint8Array(l.frameBytes);
  f.fill(y, 0, width * height);
  f.fill(u, width * height, width * height + l.cw * l.ch);
  f.fill(v, width * height + l.cw * l.ch);
  return f;
}

describe('yuv420ToRgb', () => {
  it('converts limited-range white, black and red as BT.601 says', () => {
    const px = (y: number, u: number, v: number) => Array.from(yuv420ToRgb(solid(8, 8, y, u, v), yuv420Layout(8, 8), { x: 0, y: 0, w: 8, h: 8 }, 4, 4).data.subarray(0, 3));
    expect(px(235, 128, 128)).toEqual([255, 255, 255]);
    expect(px(16, 128, 128)).toEqual([0, 0, 0]);
    // BT.601 red (R=255, G=B=0) is Y 81, U 90, V 240.
    const [r, g, b] = px(81, 90, 240);
    expect(r).toBeGreaterThan(250);
    expect(g).toBeLessThan(5);
    expect(b).toBeLessThan(5);
  });

  it('cuts a region and scales it: the right half of a frame whose right half is bright', () => {
    const l = yuv420Layout(64, 32);
    const f = solid(64, 32, 16, 128, 128);
    for (let y = 0; y < 32; y++) f.fill(235, y * 64 + 32, y * 64 + 64);
    const whole = yuv420ToRgb(f, l, { x: 0, y: 0, w: 64, h: 32 }, 16, 8);
    expect(whole.data[0]).toBe(0);
    expect(whole.data[(8 * 16 - 1) * 3]).toBe(255);
    const right = yuv420ToRgb(f, l, { x: 32, y: 0, w: 32, h: 32 }, 32, 32);
    expect(Math.min(...right.data)).toBe(255);
  });
});

describe('maskFrame', () => {
  it('pixelates a box into cells of their mean luma and leaves the rest untouched', () => {
    const l = yuv420Layout(32, 32);
    const f = solid(32, 32, 100, 128, 128);
    // A vertical stripe pattern: 50 and 150 alternating columns, mean 100.
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) f[y * 32 + x] = x % 2 ? 150 : 50;
    maskFrame(f, l, [{ x: 8, y: 8, w: 16, h: 16 }], 'pixelate');
    for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) expect(f[y * 32 + x]).toBe(100);
    expect(f[0]).toBe(50);
    expect(f[31 * 32 + 31]).toBe(150);
  });
});
