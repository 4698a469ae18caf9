// Measuring masks against labelled footage, per frame: a labelled box counts as masked when at
// least 90 % of its area is covered by the union of the mask boxes; a frame has a wholly visible
// box when some labelled box has none of it covered; over-masking is the share of the frame's
// area masked outside every labelled box.
import type { Box } from '../../src/release/box.js';
import type { FrameLabel, LabelKind } from './mask-footage.js';

export interface MaskScore {
  frames: number;
  labelled: Record<LabelKind, number>;
  masked: Record<LabelKind, number>;
  recallPct: Record<LabelKind, number>;
  /** Frames in which some labelled box of that kind is wholly visible. */
  framesWhollyVisible: Record<LabelKind, number>;
  overMaskPct: number;
  /** Per labelled piece: its width in pixels (on frame 0), boxes, masked, recall. */
  byLabel: Record<string, { kind: LabelKind; width: number; labelled: number; masked: number; recallPct: number }>;
  /** The labels missed (under 90 %), first few, for a failure message. */
  misses: string[];
}

export function scoreMasks(frames: number, width: number, height: number, labels: (n: number) => FrameLabel[], masks: (n: number) => Box[]): MaskScore {
  const labelled = { text: 0, face: 0 };
  const masked = { text: 0, face: 0 };
  const wholly = { text: 0, face: 0 };
  const misses: string[] = [];
  const byLabel: MaskScore['byLabel'] = {};
  let over = 0;
  const maskBits = new Uint8Array(width * height);
  const labelBits = new Uint8Array(width * height);
  for (let n = 0; n < frames; n++) {
    maskBits.fill(0);
    labelBits.fill(0);
    for (const b of masks(n)) paint(maskBits, width, height, b);
    const ls = labels(n);
    for (const l of ls) paint(labelBits, width, height, l.box);
    const seen = { text: false, face: false };
    for (const l of ls) {
      const c = covered(maskBits, width, height, l.box);
      labelled[l.kind]++;
      const one = (byLabel[l.name] ??= { kind: l.kind, width: Math.round(l.box.w), labelled: 0, masked: 0, recallPct: 0 });
      one.labelled++;
      if (c >= 0.9) masked[l.kind]++, one.masked++;
      else if (misses.length < 12) misses.push(`frame ${n} ${l.name}: ${(c * 100).toFixed(0)} % covered`);
      if (c === 0) seen[l.kind] = true;
    }
    for (const k of ['text', 'face'] as const) if (seen[k]) wholly[k]++;
    let outside = 0;
    for (let i = 0; i < maskBits.length; i++) if (maskBits[i] && !labelBits[i]) outside++;
    over += outside / (width * height);
  }
  const pct = (a: number, b: number) => (b === 0 ? 100 : Math.round((a / b) * 10000) / 100);
  for (const one of Object.values(byLabel)) one.recallPct = pct(one.masked, one.labelled);
  return {
    frames,
    labelled,
    masked,
    recallPct: { text: pct(masked.text, labelled.text), face: pct(masked.face, labelled.face) },
    framesWhollyVisible: wholly,
    overMaskPct: Math.round((over / Math.max(1, frames)) * 10000) / 100,
    misses,
    byLabel,
  };
}

function rect(b: Box, width: number, height: number) {
  return {
    x0: Math.max(0, Math.floor(b.x)), y0: Math.max(0, Math.floor(b.y)),
    x1: Math.min(width, Math.ceil(b.x + b.w)), y1: Math.min(height, Math.ceil(b.y + b.h)),
  };
}

function paint(bits: Uint8Array, width: number, height: number, b: Box): void {
  const r = rect(b, width, height);
  for (let y = r.y0; y < r.y1; y++) bits.fill(1, y * width + r.x0, y * width + r.x1);
}

function covered(bits: Uint8Array, width: number, height: number, b: Box): number {
  const r = rect(b, width, height);
  let on = 0, all = 0;
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++, all++) on += bits[y * width + x]!;
  return all === 0 ? 1 : on / all;
}
