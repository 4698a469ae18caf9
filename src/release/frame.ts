// A decoded picture in memory: packed 8-bit RGB, row after row, no padding.

export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Nearest-neighbour resize: enough for a detector's input, where speed matters more than looks. */
export function resizeRgb(src: RgbFrame, width: number, height: number): RgbFrame {
  if (src.width === width && src.height === height) return src;
  const out = new Uint8Array(width * height * 3);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(src.width - 1, Math.floor(((x + 0.5) * src.width) / width)) * 3;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(src.height - 1, Math.floor(((y + 0.5) * src.height) / height));
    const row = sy * src.width * 3;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      const i = row + xs[x]!;
      out[o] = src.data[i]!;
      out[o + 1] = src.data[i + 1]!;
      out[o + 2] = src.data[i + 2]!;
    }
  }
  return { width, height, data: out };
}

/**
 * Part of a raw 4:2:0 picture (`src`, in its pixels) as RGB of `width`×`height`: the detectors'
 * input made from the frame the render pass decoded, so the source is decoded once. Below half
 * size each output pixel is the mean of the 2×2 luma block under it (what a scaler's filter
 * would keep of a plate's strokes), else the nearest; BT.601 limited range, as cameras send.
 */
export function yuv420ToRgb(
  frame: Uint8Array,
  l: { width: number; height: number; cw: number; ch: number },
  src: { x: number; y: number; w: number; h: number },
  width: number,
  height: number,
): RgbFrame {
  const out = new Uint8Array(width * height * 3);
  const uOff = l.width * l.height;
  const vOff = uOff + l.cw * l.ch;
  const rx = src.w / width;
  const ry = src.h / height;
  const box = rx >= 1.5 && ry >= 1.5;
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(l.width - (box ? 2 : 1), Math.max(0, Math.floor(src.x + (x + 0.5) * rx - (box ? 1 : 0.5))));
  let o = 0;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(l.height - (box ? 2 : 1), Math.max(0, Math.floor(src.y + (y + 0.5) * ry - (box ? 1 : 0.5))));
    const row = sy * l.width;
    const crow = (sy >> 1) * l.cw;
    for (let x = 0; x < width; x++, o += 3) {
      const sx = xs[x]!;
      const i = row + sx;
      const yy = box ? (frame[i]! + frame[i + 1]! + frame[i + l.width]! + frame[i + l.width + 1]! + 2) >> 2 : frame[i]!;
      const c = crow + (sx >> 1);
      const u = frame[uOff + c]! - 128;
      const v = frame[vOff + c]! - 128;
      const k = 1192 * (yy - 16) + 512;
      // Integer BT.601: R = 1.164(Y−16) + 1.596V, G = … − 0.392U − 0.813V, B = … + 2.017U (× 1024).
      out[o] = clamp8((k + 1634 * v) >> 10);
      out[o + 1] = clamp8((k - 401 * u - 832 * v) >> 10);
      out[o + 2] = clamp8((k + 2066 * u) >> 10);
    }
  }
  return { width, height, data: out };
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
