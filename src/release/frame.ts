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
