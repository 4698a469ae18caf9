// Recorded ranges, gaps and coverage of one camera over any span, from the spans of its
// recording files (a month is a few thousand rows, not millions of fragments) and its gap
// events. Pure: the caller passes the rows and "now" (nothing is missing from the future).

export interface Range {
  startMs: number;
  endMs: number;
}

export interface TimelineInput {
  from: number;
  to: number;
  now: number;
  /** [start, end] of each file with data, sorted by start. */
  files: readonly (readonly [number, number])[];
  /** Recorded gap events (the recorder saw the stream stop and come back). */
  gapEvents: readonly Range[];
  /** Holes shorter than this are joined (clock jitter between files; a coarse zoom level). */
  joinMs: number;
  /**
   * Files backfilled from the camera's device into gaps (sorted by start): footage, though the
   * recorder's gap events still cover their time.
   */
  backfilled?: readonly (readonly [number, number])[];
}

export interface TimelineSummary {
  ranges: Range[];
  /** The part of `ranges` backfilled from the device (补录), for the timeline to colour apart. */
  backfilled: Range[];
  gaps: Range[];
  recordedMs: number;
  /** Share of [from, min(to, now)] that is recorded, 0…100. */
  coveragePct: number;
}

export function summarise(t: TimelineInput): TimelineSummary {
  const end = Math.min(t.to, Math.max(t.from, t.now));
  const ranges: Range[] = [];
  for (const [s, e] of t.files) {
    const a = Math.max(s, t.from);
    const b = Math.min(e, end);
    if (b <= a) continue;
    const last = ranges[ranges.length - 1];
    if (last && a - last.endMs <= t.joinMs) last.endMs = Math.max(last.endMs, b);
    else ranges.push({ startMs: a, endMs: b });
  }
  const backfilled = join(t.backfilled ?? [], t.from, end, t.joinMs);
  const cut = union(subtract(ranges, t.gapEvents.filter((g) => g.endMs - g.startMs > t.joinMs)), backfilled);
  const gaps: Range[] = [];
  let cursor = t.from;
  for (const r of cut) {
    if (r.startMs > cursor) gaps.push({ startMs: cursor, endMs: r.startMs });
    cursor = Math.max(cursor, r.endMs);
  }
  if (end > cursor) gaps.push({ startMs: cursor, endMs: end });
  const recordedMs = cut.reduce((n, r) => n + (r.endMs - r.startMs), 0);
  const span = end - t.from;
  return { ranges: cut, backfilled, gaps, recordedMs, coveragePct: span > 0 ? Math.round((recordedMs / span) * 10000) / 100 : 0 };
}

/** Spans clipped to [from, end], joined where less than `joinMs` apart. */
function join(spans: readonly (readonly [number, number])[], from: number, end: number, joinMs: number): Range[] {
  const out: Range[] = [];
  for (const [s, e] of spans) {
    const a = Math.max(s, from);
    const b = Math.min(e, end);
    if (b <= a) continue;
    const last = out[out.length - 1];
    if (last && a - last.endMs <= joinMs) last.endMs = Math.max(last.endMs, b);
    else out.push({ startMs: a, endMs: b });
  }
  return out;
}

/** Two sorted lists of disjoint ranges as one (touching ranges joined). */
export function union(a: readonly Range[], b: readonly Range[]): Range[] {
  const all = [...a, ...b].sort((x, y) => x.startMs - y.startMs);
  const out: Range[] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r.startMs <= last.endMs) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ ...r });
  }
  return out;
}

/** `ranges` (sorted, disjoint) minus `holes` (any order). */
export function subtract(ranges: readonly Range[], holes: readonly Range[]): Range[] {
  if (!holes.length) return ranges.map((r) => ({ ...r }));
  const hs = [...holes].sort((a, b) => a.startMs - b.startMs);
  const out: Range[] = [];
  let h = 0;
  for (const r of ranges) {
    let start = r.startMs;
    while (h < hs.length && hs[h]!.endMs <= start) h++;
    for (let i = h; i < hs.length && hs[i]!.startMs < r.endMs; i++) {
      const hole = hs[i]!;
      if (hole.startMs > start) out.push({ startMs: start, endMs: hole.startMs });
      start = Math.max(start, hole.endMs);
    }
    if (r.endMs > start) out.push({ startMs: start, endMs: r.endMs });
  }
  return out;
}

/** Where all of several cameras were recording (synchronised playback of up to 4 cameras). */
export function intersect(lists: readonly (readonly Range[])[]): Range[] {
  if (!lists.length) return [];
  let acc: Range[] = lists[0]!.map((r) => ({ ...r }));
  for (const list of lists.slice(1)) {
    const next: Range[] = [];
    let i = 0;
    let j = 0;
    while (i < acc.length && j < list.length) {
      const a = acc[i]!;
      const b = list[j]!;
      const s = Math.max(a.startMs, b.startMs);
      const e = Math.min(a.endMs, b.endMs);
      if (e > s) next.push({ startMs: s, endMs: e });
      if (a.endMs < b.endMs) i++;
      else j++;
    }
    acc = next;
  }
  return acc;
}
