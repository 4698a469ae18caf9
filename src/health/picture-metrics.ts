// Measurements of one decoded picture (small RGB, e.g. 320x180), pure and allocation-light, so a
// diagnostic cycle over a thousand cameras spends its time in ffmpeg's decoder, not here.
// Each measure is a number a threshold can be set on; what counts as a fault is in diagnose.ts.

export interface Picture {
  width: number;
  height: number;
  /** Packed RGB, 8 bits per channel, full range (what ffmpeg's rgb24 gives). */
  rgb: Uint8Array;
}

export interface PictureMeasures {
  /** Mean luma, 0..255 (BT.601 weights). */
  meanLuma: number;
  /** Standard deviation of luma: contrast. */
  lumaStd: number;
  /** Variance of the 4-neighbour Laplacian of luma: sharpness (low = blurred). */
  laplacianVar: number;
  /** Mean chroma offset D and its ratio to the chroma spread (equivalent-circle method). */
  castOffset: number;
  castFactor: number;
  /** Estimated standard deviation of additive noise (Immerkær 1996). */
  noiseSigma: number;
  /** Share of the picture in the largest connected flat area of similar brightness, 0..1. */
  flatShare: number;
}

export function luma(p: Picture): Float32Array {
  const n = p.width * p.height;
  const y = new Float32Array(n);
  const rgb = p.rgb;
  for (let i = 0, j = 0; i < n; i++, j += 3) y[i] = 0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!;
  return y;
}

export function measurePicture(p: Picture, y: Float32Array = luma(p)): PictureMeasures {
  const { width: w, height: h } = p;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < y.length; i++) {
    sum += y[i]!;
    sq += y[i]! * y[i]!;
  }
  const mean = sum / y.length;
  const lumaStd = Math.sqrt(Math.max(0, sq / y.length - mean * mean));

  // Laplacian variance and Immerkær's noise mask in one pass over the interior.
  let lapSum = 0;
  let lapSq = 0;
  let noiseAbs = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const up = y[i - w]!;
      const down = y[i + w]!;
      const left = y[i - 1]!;
      const right = y[i + 1]!;
      const centre = y[i]!;
      const lap = up + down + left + right - 4 * centre;
      lapSum += lap;
      lapSq += lap * lap;
      // Mask [1 -2 1; -2 4 -2; 1 -2 1]: second differences cancel smooth structure, noise stays.
      const m = y[i - w - 1]! + y[i - w + 1]! + y[i + w - 1]! + y[i + w + 1]! - 2 * (up + down + left + right) + 4 * centre;
      noiseAbs += Math.abs(m);
    }
  }
  const inner = Math.max(1, (w - 2) * (h - 2));
  const lapMean = lapSum / inner;
  const laplacianVar = lapSq / inner - lapMean * lapMean;
  const noiseSigma = (Math.sqrt(Math.PI / 2) * noiseAbs) / (6 * inner);

  const cast = colourCast(p);
  return { meanLuma: mean, lumaStd, laplacianVar, castOffset: cast.offset, castFactor: cast.factor, noiseSigma, flatShare: flatShare(y, w, h) };
}

/** Chroma as two opponent axes (red–green, yellow–blue); a cast is a mean far from neutral relative to the spread. */
function colourCast(p: Picture): { offset: number; factor: number } {
  const n = p.width * p.height;
  const rgb = p.rgb;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  for (let j = 0; j < n * 3; j += 3) {
    const r = rgb[j]!;
    const g = rgb[j + 1]!;
    const b = rgb[j + 2]!;
    const a = r - g;
    const yb = (r + g) / 2 - b;
    sa += a;
    sb += yb;
    saa += a * a;
    sbb += yb * yb;
  }
  const ma = sa / n;
  const mb = sb / n;
  const offset = Math.hypot(ma, mb);
  const spread = Math.sqrt(Math.max(0, saa / n - ma * ma) + Math.max(0, sbb / n - mb * mb));
  return { offset, factor: offset / Math.max(spread, 1) };
}

const BLOCK = 10;
const FLAT_STD = 2.5;
const FLAT_STEP = 4;

/**
 * Blocks of BLOCK×BLOCK pixels that are flat (tiny deviation); the largest 4-connected group of
 * flat blocks whose neighbours differ little in brightness, as a share of all blocks. A lens cap,
 * a bag or a wall in front of the camera is one large such area.
 */
function flatShare(y: Float32Array, w: number, h: number): number {
  const bw = Math.floor(w / BLOCK);
  const bh = Math.floor(h / BLOCK);
  if (bw === 0 || bh === 0) return 0;
  const means = new Float32Array(bw * bh);
  const flat = new Uint8Array(bw * bh);
  for (let br = 0; br < bh; br++) {
    for (let bc = 0; bc < bw; bc++) {
      let s = 0;
      let s2 = 0;
      for (let r = br * BLOCK; r < (br + 1) * BLOCK; r++) {
        for (let c = bc * BLOCK; c < (bc + 1) * BLOCK; c++) {
          const v = y[r * w + c]!;
          s += v;
          s2 += v * v;
        }
      }
      const k = BLOCK * BLOCK;
      const m = s / k;
      means[br * bw + bc] = m;
      flat[br * bw + bc] = Math.sqrt(Math.max(0, s2 / k - m * m)) < FLAT_STD ? 1 : 0;
    }
  }
  const seen = new Uint8Array(bw * bh);
  const stack: number[] = [];
  let best = 0;
  for (let start = 0; start < flat.length; start++) {
    if (!flat[start] || seen[start]) continue;
    let size = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const b = stack.pop()!;
      size++;
      const r = Math.floor(b / bw);
      const c = b % bw;
      const next = [r > 0 ? b - bw : -1, r < bh - 1 ? b + bw : -1, c > 0 ? b - 1 : -1, c < bw - 1 ? b + 1 : -1];
      for (const nb of next) {
        if (nb < 0 || seen[nb] || !flat[nb] || Math.abs(means[nb]! - means[b]!) > FLAT_STEP) continue;
        seen[nb] = 1;
        stack.push(nb);
      }
    }
    if (size > best) best = size;
  }
  return best / flat.length;
}

/** Share of pixels whose luma changed by more than `step` between two pictures of one size. */
export function changedShare(a: Float32Array, b: Float32Array, step = 12): number {
  if (a.length !== b.length || a.length === 0) return 1;
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > step) changed++;
  return changed / a.length;
}

export const SIGNATURE_W = 32;
export const SIGNATURE_H = 18;

/** A coarse grey thumbnail (block means), the camera's view to compare against its reference. */
export function signature(y: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(SIGNATURE_W * SIGNATURE_H);
  for (let sr = 0; sr < SIGNATURE_H; sr++) {
    const r0 = Math.floor((sr * h) / SIGNATURE_H);
    const r1 = Math.max(r0 + 1, Math.floor(((sr + 1) * h) / SIGNATURE_H));
    for (let sc = 0; sc < SIGNATURE_W; sc++) {
      const c0 = Math.floor((sc * w) / SIGNATURE_W);
      const c1 = Math.max(c0 + 1, Math.floor(((sc + 1) * w) / SIGNATURE_W));
      let s = 0;
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += y[r * w + c]!;
      out[sr * SIGNATURE_W + sc] = s / ((r1 - r0) * (c1 - c0));
    }
  }
  return out;
}

/**
 * Normalised cross-correlation of two signatures, -1..1: insensitive to overall brightness and
 * contrast (day and night, auto exposure), sensitive to where things are in the picture.
 */
export function similarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= b.length;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - ma;
    const z = b[i]! - mb;
    num += x * z;
    da += x * x;
    db += z * z;
  }
  if (da === 0 || db === 0) return 0;
  return num / Math.sqrt(da * db);
}

export function encodeSignature(s: Float32Array): string {
  return Buffer.from(Uint8Array.from(s, (v) => Math.max(0, Math.min(255, Math.round(v))))).toString('base64');
}

export function decodeSignature(text: string): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== SIGNATURE_W * SIGNATURE_H) return undefined;
  return Float32Array.from(bytes);
}
