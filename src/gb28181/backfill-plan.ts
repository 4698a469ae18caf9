// Which parts of a span a backfill (补录) downloads: where our recording has a gap and the
// device's own recording (RecordInfo) covers it, cut into pieces a device serves in one Download.
// Pure: the caller passes what we recorded, what the device holds and the limits.
import type { Range } from '../playback/timeline.js';

export interface BackfillPlanInput {
  from: number;
  to: number;
  /** Our recording's files (any order, may overlap). */
  recorded: readonly Range[];
  /** The device's recordings (any order). */
  device: readonly Range[];
  /** Gaps shorter than this are left alone (file-to-file jitter, not lost footage). */
  minMs: number;
  /** One Download asks for at most this long a range. */
  maxPieceMs: number;
}

function merged(rs: readonly Range[], from: number, to: number): Range[] {
  const out: Range[] = [];
  for (const r of [...rs].sort((a, b) => a.startMs - b.startMs)) {
    const s = Math.max(r.startMs, from);
    const e = Math.min(r.endMs, to);
    if (e <= s) continue;
    const last = out[out.length - 1];
    if (last && s <= last.endMs) last.endMs = Math.max(last.endMs, e);
    else out.push({ startMs: s, endMs: e });
  }
  return out;
}

/** The gaps of [from, to) that our recording leaves, longer than minMs. */
export function recordingGaps(i: Pick<BackfillPlanInput, 'from' | 'to' | 'recorded' | 'minMs'>): Range[] {
  const gaps: Range[] = [];
  let cursor = i.from;
  for (const r of merged(i.recorded, i.from, i.to)) {
    if (r.startMs - cursor >= i.minMs) gaps.push({ startMs: cursor, endMs: r.startMs });
    cursor = Math.max(cursor, r.endMs);
  }
  if (i.to - cursor >= i.minMs) gaps.push({ startMs: cursor, endMs: i.to });
  return gaps;
}

/** Gaps ∩ the device's recordings in whole seconds, each piece at least minMs and at most maxPieceMs long. */
export function planBackfill(i: BackfillPlanInput): Range[] {
  const device = merged(i.device, i.from, i.to);
  const pieces: Range[] = [];
  for (const g of recordingGaps(i)) {
    for (const d of device) {
      // Whole seconds inward: an INVITE's t= range is in seconds, and must ask for neither our footage nor more than the device holds.
      const s = Math.ceil(Math.max(g.startMs, d.startMs) / 1000) * 1000;
      const e = Math.floor(Math.min(g.endMs, d.endMs) / 1000) * 1000;
      if (e - s < i.minMs) continue;
      for (let a = s; a < e; a += i.maxPieceMs) {
        const b = Math.min(e, a + i.maxPieceMs);
        if (b - a >= i.minMs || pieces.length === 0 || pieces[pieces.length - 1]!.endMs !== a) pieces.push({ startMs: a, endMs: b });
        else pieces[pieces.length - 1]!.endMs = b; // a short tail joins the piece before it
      }
    }
  }
  return pieces;
}
