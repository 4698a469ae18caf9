// The simulator's machine-readable clock: a row of black and white cells under the burned-in
// text, drawn in the same ffmpeg graph from the same frame timestamp (setpts RTCTIME, in ms), so
// a viewer that reads the cells knows to the millisecond when the frame it shows was drawn.
//
// Cells, left to right: one always white and one always black (the levels the viewer calibrates
// against, whatever range or colour matrix its decoder uses), the wall-clock milliseconds modulo
// 2^20 (about 17.5 minutes, far beyond any delay worth measuring) most significant bit first,
// then two parity cells (over the even and over the odd bit positions). A reading is rejected
// when a cell is neither clearly black nor clearly white (a frame caught mid-change, a blurred
// or scaled-away strip) or when either parity disagrees.

export const CLOCK_BITS = 20;
export const CLOCK_MODULUS = 2 ** CLOCK_BITS;
/** Reference white, reference black, the data bits, two parity cells. */
export const CLOCK_CELLS = 2 + CLOCK_BITS + 2;

export interface StripRect {
  x: number;
  y: number;
  /** Side of one square cell. */
  cell: number;
  cells: number;
}

/** Where the strip sits in a picture of width×height: centred near the bottom edge. */
export function stripRect(width: number, height: number): StripRect {
  // Cells as big as the width allows (a cell's margin of one on each side), capped by the height
  // so the strip stays a band; even sides, so 4:2:0 chroma never straddles a cell edge.
  const cell = Math.floor(Math.min(height / 14, width / (CLOCK_CELLS + 1))) & ~1;
  const x = Math.round((width - cell * CLOCK_CELLS) / 2) & ~1;
  const y = (height - Math.round(cell * 1.5)) & ~1;
  return { x, y, cell, cells: CLOCK_CELLS };
}

/**
 * The drawbox filters that draw the strip, for a graph whose frames carry their wall-clock time
 * in milliseconds as pts with time base 1/1000 (timeline `t` in seconds).
 */
export function clockStripFilters(width: number, height: number): string[] {
  const r = stripRect(width, height);
  const ms = 'floor(t*1000+0.5)';
  const bit = (k: number) => `mod(floor(${ms}/${2 ** k}),2)`;
  const parity = (from: number) => {
    const terms: string[] = [];
    for (let k = from; k < CLOCK_BITS; k += 2) terms.push(bit(k));
    return `mod(${terms.join('+')},2)`;
  };
  // The expression's commas would end the filter in the graph: escaped once, for the graph level.
  const when = (e: string) => `:enable=${e.replace(/,/g, '\\,')}`;
  const box = (i: number) => `drawbox=x=${r.x + i * r.cell}:y=${r.y}:w=${r.cell}:h=${r.cell}:color=white:t=fill`;
  const margin = Math.max(2, r.cell >> 2);
  const filters = [
    // The band, black, with a margin so the first and last cells have a known neighbour.
    `drawbox=x=${r.x - margin}:y=${r.y - margin}:w=${r.cell * r.cells + 2 * margin}:h=${r.cell + 2 * margin}:color=black:t=fill`,
    box(0),
  ];
  for (let k = CLOCK_BITS - 1; k >= 0; k--) filters.push(box(2 + (CLOCK_BITS - 1 - k)) + when(bit(k)));
  filters.push(box(2 + CLOCK_BITS) + when(parity(0)));
  filters.push(box(3 + CLOCK_BITS) + when(parity(1)));
  return filters;
}

/** One byte a pixel, row after row (a luma plane, or grey from a canvas). */
export interface GreyImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Mean of the middle half of a cell, so edges blurred by the codec or scaling do not count. */
function cellLevel(img: GreyImage, x0: number, y0: number, w: number, h: number): number {
  const xa = Math.max(0, Math.floor(x0 + w / 4));
  const xb = Math.min(img.width, Math.max(xa + 1, Math.ceil(x0 + (3 * w) / 4)));
  const ya = Math.max(0, Math.floor(y0 + h / 4));
  const yb = Math.min(img.height, Math.max(ya + 1, Math.ceil(y0 + (3 * h) / 4)));
  let sum = 0;
  let n = 0;
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      sum += img.data[y * img.width + x]!;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/**
 * The clock from the cells' levels (CLOCK_CELLS values, left to right): milliseconds modulo
 * CLOCK_MODULUS, or undefined when the reading is not trustworthy.
 */
export function decodeCells(levels: readonly number[]): number | undefined {
  if (levels.length !== CLOCK_CELLS || levels.some((l) => !Number.isFinite(l))) return undefined;
  const white = levels[0]!;
  const black = levels[1]!;
  // Too little contrast: no strip there (a black or foreign picture).
  if (white - black < 64) return undefined;
  const bits: number[] = [];
  for (let i = 2; i < CLOCK_CELLS; i++) {
    const v = (levels[i]! - black) / (white - black);
    if (v > 0.3 && v < 0.7) return undefined;
    bits.push(v >= 0.5 ? 1 : 0);
  }
  const data = bits.slice(0, CLOCK_BITS);
  let even = 0;
  let odd = 0;
  data.forEach((b, i) => {
    const k = CLOCK_BITS - 1 - i;
    if (k % 2 === 0) even ^= b;
    else odd ^= b;
  });
  if (even !== bits[CLOCK_BITS] || odd !== bits[CLOCK_BITS + 1]) return undefined;
  return data.reduce((v, b) => v * 2 + b, 0);
}

/**
 * Reads the strip of a whole picture, possibly scaled: `pictureWidth`×`pictureHeight` is the size
 * the simulator drew it at (the image's own size by default).
 */
export function readClockStrip(img: GreyImage, pictureWidth = img.width, pictureHeight = img.height): number | undefined {
  const r = stripRect(pictureWidth, pictureHeight);
  const sx = img.width / pictureWidth;
  const sy = img.height / pictureHeight;
  const levels: number[] = [];
  for (let i = 0; i < r.cells; i++) levels.push(cellLevel(img, (r.x + i * r.cell) * sx, r.y * sy, r.cell * sx, r.cell * sy));
  return decodeCells(levels);
}

/** Reads an image that is exactly the strip's rectangle (a viewer's crop of it), at any scale. */
export function readClockBand(img: GreyImage): number | undefined {
  const w = img.width / CLOCK_CELLS;
  const levels: number[] = [];
  for (let i = 0; i < CLOCK_CELLS; i++) levels.push(cellLevel(img, i * w, 0, w, img.height));
  return decodeCells(levels);
}

/**
 * How long ago, in ms, a clock reading was taken, seen at wall-clock `nowMs`; negative when the
 * reading is ahead of `nowMs` (clocks disagreeing), within half the modulus either way.
 */
export function clockAge(nowMs: number, readingMs: number): number {
  const d = (((nowMs - readingMs) % CLOCK_MODULUS) + CLOCK_MODULUS) % CLOCK_MODULUS;
  return d >= CLOCK_MODULUS / 2 ? d - CLOCK_MODULUS : d;
}
