// Faces too small for the whole frame: BlazeFace sees a 256×256 picture, so the whole of a 720p
// frame shrinks a 24 px face to 5 px and it is not found; cut into overlapping square tiles of
// 480 px (3 × 2 on 720p, overlapping by at least 64 px so a small face is whole in one), each
// seen at 256×256, the same face is 13 px, which BlazeFace finds (faces of 12 px in its input
// found with scores 0.6–0.8 on the labelled set). Square, so the view is not squeezed more one way
// than the other (BlazeFace's boxes are square in its input). Every tile on every detector frame would cost six face detections where there was
// one, so the tiles take turns: `perDetectorFrame` of them on each detector frame, each tile
// searched every `tileStep` frames, with a tracker of its own that knows that cadence (a track
// missed is a track missed on its own tile, and its padding is its tile's step). A face on two
// tiles' overlap may be tracked by both; both masks are drawn.
import { grow, type Box } from './box.js';
import { yuv420ToRgb, type RgbFrame } from './frame.js';
import type { Yuv420Layout } from './mask-render.js';
import type { Detection } from './text-detector.js';
import { IouTracker, type Track } from './tracker.js';

export interface SmallFaceOptions {
  /** A tile's side in the frame's pixels (smaller: smaller faces found, more tiles). */
  side: number;
  /** Tiles searched on each detector frame. */
  perDetectorFrame: number;
  /** Score a face found in a tile needs (the closer view finds more that are not faces). */
  minScore: number;
}

export const SMALL_FACES: SmallFaceOptions = { side: 480, perDetectorFrame: 2, minScore: 0.5 };

const GROWTH = 0.1;

/** The smallest face, in the detector's input pixels, that BlazeFace finds (see the top). */
const WHOLE_FRAME_MIN_FACE = 12;

/** Detector frames between two searches of a tile, at most. */
const MAX_CYCLE = 3;

/** Least overlap of neighbouring tiles, in the frame's pixels: a small face is whole in one. */
const MIN_OVERLAP = 64;

/** Square tiles of `side` covering the frame, evenly spread, overlapping by ≥ MIN_OVERLAP. */
export function squareTiles(width: number, height: number, side: number): Box[] {
  const s = Math.min(side, width, height);
  const count = (len: number) => (len <= s ? 1 : Math.ceil((len - s) / (s - MIN_OVERLAP)) + 1);
  const cols = count(width);
  const rows = count(height);
  const at = (i: number, n: number, len: number) => (n === 1 ? 0 : Math.round(((len - s) * i) / (n - 1)));
  const out: Box[] = [];
  for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) out.push({ x: at(i, cols, width), y: at(j, rows, height), w: s, h: s });
  return out;
}

/** The face detector's input side. */
export const VIEW_SIDE = 256;

/** Track ids of tile i start at (i + 1) × this, apart from the whole frame's. */
const ID_BLOCK = 100_000;

export class SmallFaceSearch {
  readonly tiles: Box[];
  /** Frames between two searches of the same tile. */
  readonly tileStep: number;
  private readonly trackers: IouTracker[];
  private readonly cycle: number;
  private readonly perFrame: number;
  /** Faces wider than this (frame pixels) the whole frame finds: a tile's box of them is not kept. */
  private readonly maxWidth: number;

  constructor(width: number, height: number, private readonly step: number, private readonly o: SmallFaceOptions) {
    if (!(o.side > MIN_OVERLAP && Number.isInteger(o.perDetectorFrame) && o.perDetectorFrame >= 1)) {
      throw new RangeError(`Small-face tiles need a side over ${MIN_OVERLAP} px and a whole number of tiles a detector frame, not ${o.side} and ${o.perDetectorFrame}`);
    }
    this.tiles = squareTiles(width, height, o.side);
    // The render waits a few of the slowest tracker's steps behind detection, holding the decoded
    // frames meanwhile: a tile is searched at least every MAX_CYCLE detector frames, so a larger
    // picture (15 tiles at 1080p) searches more tiles a detector frame rather than hold more.
    this.perFrame = Math.max(o.perDetectorFrame, Math.ceil(this.tiles.length / MAX_CYCLE));
    this.cycle = Math.ceil(this.tiles.length / this.perFrame);
    this.tileStep = step * this.cycle;
    // The whole frame finds faces of 12 px in the detector's input; half again over that, the
    // tiles leave them to it (their boxes of a large face only add to what is masked).
    this.maxWidth = (1.5 * WHOLE_FRAME_MIN_FACE * width) / VIEW_SIDE;
    // A small face walking moves further than its own width between two searches of its tile.
    this.trackers = this.tiles.map((_, i) => new IouTracker({ firstId: (i + 1) * ID_BLOCK, step: this.tileStep, reach: 1 }));
  }

  /** The tiles searched on detector frame n (a multiple of the step). */
  due(n: number): number[] {
    const turn = (n / this.step) % this.cycle;
    return this.tiles.map((_, i) => i).filter((i) => Math.floor(i / this.perFrame) === turn);
  }

  /** Tile i of a decoded frame as the detector's input. */
  view(yuv: Uint8Array, layout: Yuv420Layout, i: number): RgbFrame {
    return yuv420ToRgb(yuv, layout, this.tiles[i]!, VIEW_SIDE, VIEW_SIDE);
  }

  /** The faces found in tile i on frame n, in the view's pixels. */
  add(n: number, i: number, faces: Detection[]): void {
    const t = this.tiles[i]!;
    const sx = t.w / VIEW_SIDE;
    const sy = t.h / VIEW_SIDE;
    this.trackers[i]!.add(
      n,
      faces
        .filter((d) => d.score >= this.o.minScore && d.w * sx <= this.maxWidth)
        // A box a few pixels off is a large part of a small face: each grown by a tenth a side.
        .map((d) => ({ ...grow({ x: t.x + d.x * sx, y: t.y + d.y * sy, w: d.w * sx, h: d.h * sy }, GROWTH), kind: 'face' as const, score: d.score })),
    );
  }

  tracks(): Track[] {
    return this.trackers.flatMap((tr) => tr.tracks());
  }
}
