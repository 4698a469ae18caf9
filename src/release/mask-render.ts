// Burning masks into a raw 4:2:0 picture (planar Y, then U, then V; odd sizes round the chroma
// planes up), in place: solid fill, pixelation or blur. Working on the encoder's own format
// keeps the frames half the size of RGB on their way through memory.
import { clipToFrame, type Box } from './box.js';

export type MaskStyle = 'solid' | 'pixelate' | 'blur';

export interface Yuv420Layout {
  width: number;
  height: number;
  cw: number;
  ch: number;
  frameBytes: number;
}

export function yuv420Layout(width: number, height: number): Yuv420Layout {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  return { width, height, cw, ch, frameBytes: width * height + 2 * cw * ch };
}

interface Plane {
  off: number;
  stride: number;
  rows: number;
}

function planes(l: Yuv420Layout): [Plane, Plane, Plane] {
  const y = l.width * l.height;
  const c = l.cw * l.ch;
  return [
    { off: 0, stride: l.width, rows: l.height },
    { off: y, stride: l.cw, rows: l.ch },
    { off: y + c, stride: l.cw, rows: l.ch },
  ];
}

export function maskFrame(frame: Uint8Array, l: Yuv420Layout, boxes: Box[], style: MaskStyle): void {
  for (const raw of boxes) {
    const b = clipToFrame(raw, l.width, l.height);
    if (!b) continue;
    planes(l).forEach((p, i) => {
      // Chroma boxes cover every chroma sample touching the luma box.
      const r = i === 0 ? b : { x: b.x >> 1, y: b.y >> 1, w: ((b.x + b.w + 1) >> 1) - (b.x >> 1), h: ((b.y + b.h + 1) >> 1) - (b.y >> 1) };
      const cell = Math.max(i === 0 ? 8 : 4, Math.round(Math.min(r.w, r.h) / (style === 'blur' ? 3 : 6)));
      if (style === 'solid') fill(frame, p, r, i === 0 ? 40 : 128);
      else cells(frame, p, r, cell, style === 'blur');
    });
  }
}

function fill(f: Uint8Array, p: Plane, r: Box, v: number): void {
  for (let y = r.y; y < r.y + r.h; y++) f.fill(v, p.off + y * p.stride + r.x, p.off + y * p.stride + r.x + r.w);
}

/** Each cell becomes its mean; for blur the means are then smoothed across cell borders. */
function cells(f: Uint8Array, p: Plane, r: Box, cell: number, smooth: boolean): void {
  const nx = Math.ceil(r.w / cell);
  const ny = Math.ceil(r.h / cell);
  const mean = new Float32Array(nx * ny);
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      let sum = 0, n = 0;
      const x1 = Math.min(r.x + r.w, r.x + (cx + 1) * cell);
      const y1 = Math.min(r.y + r.h, r.y + (cy + 1) * cell);
      for (let y = r.y + cy * cell; y < y1; y++) {
        const row = p.off + y * p.stride;
        for (let x = r.x + cx * cell; x < x1; x++, n++) sum += f[row + x]!;
      }
      mean[cy * nx + cx] = sum / n;
    }
  }
  if (!smooth) {
    // Pixelation: each cell's row is one run of its mean.
    for (let y = r.y; y < r.y + r.h; y++) {
      const row = p.off + y * p.stride;
      const base = Math.floor((y - r.y) / cell) * nx;
      for (let cx = 0; cx < nx; cx++) {
        const x0 = r.x + cx * cell;
        f.fill(Math.round(mean[base + cx]!), row + x0, row + Math.min(r.x + r.w, x0 + cell));
      }
    }
    return;
  }
  for (let y = r.y; y < r.y + r.h; y++) {
    const row = p.off + y * p.stride;
    const fy = (y - r.y + 0.5) / cell - 0.5;
    for (let x = r.x; x < r.x + r.w; x++) {
      // Bilinear between cell means: a blur with no detail finer than a cell left in it.
      const fx = (x - r.x + 0.5) / cell - 0.5;
      const x0 = Math.max(0, Math.min(nx - 1, Math.floor(fx)));
      const y0 = Math.max(0, Math.min(ny - 1, Math.floor(fy)));
      const x1 = Math.min(nx - 1, x0 + 1);
      const y1 = Math.min(ny - 1, y0 + 1);
      const tx = Math.max(0, Math.min(1, fx - x0));
      const ty = Math.max(0, Math.min(1, fy - y0));
      const top = mean[y0 * nx + x0]! * (1 - tx) + mean[y0 * nx + x1]! * tx;
      const bot = mean[y1 * nx + x0]! * (1 - tx) + mean[y1 * nx + x1]! * tx;
      f[row + x] = top * (1 - ty) + bot * ty;
    }
  }
}
