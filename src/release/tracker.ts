// Boxes between detector frames. The detector runs on every Nth frame; an IoU tracker with
// motion prediction links its boxes into tracks (each track's box is predicted forward by its
// velocity before it is compared, so a fast plate still matches itself), and every frame gets
// each track's box: interpolated between the detector frames it was seen on, held and moved on
// by its velocity for `pad` frames before its first and after its last sighting or the missed
// detector frames it survived (a face entering
// between two detector frames is covered from its first frame), grown by a margin and by how far
// it moves between detector frames (motion that is not straight stays inside the box).
// Pure: frames in, boxes out.
import { grow, iou, lerpBox, type Box } from './box.js';

export type MaskKind = 'text' | 'face' | 'manual';

export interface Sighting extends Box {
  kind: MaskKind;
  score: number;
}

export interface TrackPoint {
  frame: number;
  box: Box;
}

export interface Track {
  id: number;
  kind: MaskKind;
  points: TrackPoint[];
  /** The last detector frame at which the track was still alive (seen, or missed but waited for). */
  until: number;
  /** Frames between the detector frames it was looked for on, where not the masking's step. */
  step?: number;
}

export interface TrackerOptions {
  /** Smallest IoU between a predicted box and a sighting that continues the track. */
  minIou: number;
  /** Detector frames a track may go unseen and still continue. */
  maxMisses: number;
  /**
   * Growth of a track's predicted box, as a fraction of its size on each side, before it is
   * compared with a sighting: where the detector frames are far apart a small object moves
   * further than its own size between them, and a track seen once has no velocity yet.
   */
  reach: number;
  /** The first track's id (trackers whose tracks are shown together number them apart). */
  firstId: number;
  /**
   * Frames between this tracker's detector frames, when it differs from the masking's step (a
   * part of the frame searched less often): kept on each track, its padding.
   */
  step?: number;
}

const DEFAULTS: TrackerOptions = { minIou: 0.1, maxMisses: 2, reach: 0, firstId: 1 };

interface Live {
  track: Track;
  misses: number;
}

function velocity(t: Track): { vx: number; vy: number } {
  const p = t.points;
  if (p.length < 2) return { vx: 0, vy: 0 };
  const a = p[p.length - 2]!;
  const b = p[p.length - 1]!;
  const dt = b.frame - a.frame;
  return { vx: (b.box.x - a.box.x) / dt, vy: (b.box.y - a.box.y) / dt };
}

function predict(t: Track, frame: number): Box {
  const last = t.points[t.points.length - 1]!;
  const { vx, vy } = velocity(t);
  const dt = frame - last.frame;
  return { ...last.box, x: last.box.x + vx * dt, y: last.box.y + vy * dt };
}

export class IouTracker {
  private readonly live: Live[] = [];
  private readonly ended: Track[] = [];
  private nextId: number;
  private readonly o: TrackerOptions;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.o = { ...DEFAULTS, ...options };
    this.nextId = this.o.firstId;
  }

  get maxMisses(): number {
    return this.o.maxMisses;
  }

  /** The sightings of one detector frame (frames in increasing order). */
  add(frame: number, sightings: Sighting[]): void {
    const pairs: { l: Live; s: Sighting; score: number }[] = [];
    for (const l of this.live) {
      const p = grow(predict(l.track, frame), this.o.reach);
      for (const s of sightings) {
        if (s.kind !== l.track.kind) continue;
        const score = iou(p, s);
        if (score >= this.o.minIou) pairs.push({ l, s, score });
      }
    }
    pairs.sort((a, b) => b.score - a.score);
    const usedL = new Set<Live>();
    const usedS = new Set<Sighting>();
    for (const { l, s } of pairs) {
      if (usedL.has(l) || usedS.has(s)) continue;
      usedL.add(l);
      usedS.add(s);
      l.track.points.push({ frame, box: { x: s.x, y: s.y, w: s.w, h: s.h } });
      l.track.until = frame;
      l.misses = 0;
    }
    for (let i = this.live.length - 1; i >= 0; i--) {
      const l = this.live[i]!;
      if (usedL.has(l)) continue;
      if (++l.misses > this.o.maxMisses) {
        this.ended.push(l.track);
        this.live.splice(i, 1);
      } else l.track.until = frame;
    }
    for (const s of sightings) {
      if (usedS.has(s)) continue;
      this.live.push({ track: { id: this.nextId++, kind: s.kind, points: [{ frame, box: { x: s.x, y: s.y, w: s.w, h: s.h } }], until: frame, ...(this.o.step ? { step: this.o.step } : {}) }, misses: 0 });
    }
  }

  tracks(): Track[] {
    return [...this.ended, ...this.live.map((l) => l.track)].sort((a, b) => a.id - b.id);
  }
}

export interface CoverOptions {
  /** Frames before the first and after the last sighting still masked (the detector's step). */
  pad: number;
  /** Growth of every box, as a fraction of its size on each side: one for all, or one a kind. */
  margin: number | Partial<Record<MaskKind, number>>;
}

/** The boxes to mask on `frame`, from every track. */
export function boxesAt(tracks: Track[], frame: number, o: CoverOptions): { trackId: number; kind: MaskKind; box: Box }[] {
  const out: { trackId: number; kind: MaskKind; box: Box }[] = [];
  for (const t of tracks) {
    const b = boxOf(t, frame, t.step ?? o.pad);
    const margin = typeof o.margin === 'number' ? o.margin : (o.margin[t.kind] ?? 0);
    if (b) out.push({ trackId: t.id, kind: t.kind, box: grow(b.box, margin, b.slack) });
  }
  return out;
}

function boxOf(t: Track, frame: number, pad: number): { box: Box; slack: number } | undefined {
  const p = t.points;
  const first = p[0]!;
  const last = p[p.length - 1]!;
  // A track missed on its last detector frames coasts on its velocity until it ends.
  if (frame < first.frame - pad || frame > Math.max(last.frame, t.until) + pad) return undefined;
  const { vx, vy } = velocity(t);
  const speed = Math.hypot(vx, vy);
  // Between sightings the object may turn: allow half the distance it covers between them.
  const slack = (speed * pad) / 2;
  if (frame <= first.frame) {
    const v0 = p.length > 1 ? { vx: (p[1]!.box.x - first.box.x) / (p[1]!.frame - first.frame), vy: (p[1]!.box.y - first.box.y) / (p[1]!.frame - first.frame) } : { vx: 0, vy: 0 };
    const dt = frame - first.frame;
    // Outside the sightings nothing corrects the guess: the object may have stopped or turned,
    // so the box also reaches back to where it would be standing still.
    return { box: { ...first.box, x: first.box.x + v0.vx * dt, y: first.box.y + v0.vy * dt }, slack: Math.max(slack, Math.hypot(v0.vx, v0.vy) * Math.abs(dt)) };
  }
  if (frame >= last.frame) {
    const dt = frame - last.frame;
    return { box: { ...last.box, x: last.box.x + vx * dt, y: last.box.y + vy * dt }, slack: Math.max(slack, speed * dt) };
  }
  let i = 1;
  while (p[i]!.frame < frame) i++;
  const a = p[i - 1]!;
  const b = p[i]!;
  const gapSpeed = Math.hypot(b.box.x - a.box.x, b.box.y - a.box.y) / (b.frame - a.frame);
  return { box: lerpBox(a.box, b.box, (frame - a.frame) / (b.frame - a.frame)), slack: (gapSpeed * (b.frame - a.frame)) / 4 };
}
