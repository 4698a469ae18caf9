// A camera's recordings between two instants played as a feed (GB/T 28181-2016 §9.8 Playback,
// §9.9 Download): the recording files the index lists for the range, read in order, each picture
// sent when the play position reaches the wall-clock time the index gives its fragment. The
// position runs at `scale` (MANSRTSP Scale, or a download's speed), stops while paused and jumps
// on a seek, from the keyframe at or before the new position. The end of the range, or of the
// recordings, ends the feed (the upper then hears MediaStatus 121).
import { join } from 'node:path';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import type { FeedViewer } from '../live/stream-hub.js';
import { openMp4File, sampleTimes, splitLengthPrefixed, type Mp4File, type Mp4Track } from '../media/mp4/mp4-demuxer.js';
import type { IndexedFile, FragmentInFile } from '../db/recording-index.repository.js';

/** What a recorded feed reads of the recording index. */
export interface RecordingsIndex {
  files(cameraId: number, from?: number, to?: number): Promise<IndexedFile[]>;
  fileFragments(fileId: number): Promise<FragmentInFile[]>;
}

export const MAX_SCALE = 16;

interface TimedSample {
  /** Wall-clock decode and presentation time, ms. */
  wall: number;
  wallPts: number;
  keyframe: boolean;
  index: number;
}

export class RecordedFeed {
  private base = { pos: 0, at: 0 };
  private paused = false;
  private scale: number;
  private generation = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  framesRead = 0;

  constructor(
    private readonly index: RecordingsIndex,
    private readonly dataDir: string,
    readonly cameraId: number,
    /** The range, epoch ms. */
    readonly from: number,
    readonly to: number,
    scale = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.scale = clampScale(scale);
  }

  /** Media time played so far, ms from the start of the range. */
  position(): number {
    return this.paused ? this.base.pos : this.base.pos + (this.now() - this.base.at) * this.scale;
  }

  get speed(): number {
    return this.scale;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Starts reading; resolves at once with the handle that stops it. */
  async open(viewer: FeedViewer): Promise<{ close(): void }> {
    this.base = { pos: 0, at: this.now() };
    void this.run(viewer).then(
      (reason) => reason && !this.closed && viewer.onEnd?.(reason),
      (err: unknown) => !this.closed && viewer.onEnd?.(`recording could not be read: ${(err as Error).message}`),
    );
    return { close: () => this.close() };
  }

  pause(): void {
    if (this.paused) return;
    this.base = { pos: this.position(), at: this.now() };
    this.paused = true;
    this.poke();
  }

  resume(): void {
    if (!this.paused) return;
    this.base = { pos: this.base.pos, at: this.now() };
    this.paused = false;
    this.poke();
  }

  setScale(scale: number): void {
    this.base = { pos: this.position(), at: this.now() };
    this.scale = clampScale(scale);
    this.poke();
  }

  /** Jumps to `offsetMs` from the start of the range; reading starts again at the keyframe before it. */
  seek(offsetMs: number): void {
    this.base = { pos: Math.max(0, Math.min(offsetMs, this.to - this.from)), at: this.now() };
    this.generation++;
    this.poke();
  }

  close(): void {
    this.closed = true;
    this.poke();
  }

  private poke(): void {
    clearTimeout(this.timer);
    this.wake?.();
  }

  /** Waits until the position reaches `media`; false when a seek or close interrupted. */
  private async until(media: number, generation: number): Promise<boolean> {
    for (;;) {
      if (this.closed || generation !== this.generation) return false;
      const ahead = media - this.position();
      if (!this.paused && ahead <= 0) return true;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (!this.paused) this.timer = setTimeout(resolve, Math.max(1, ahead / this.scale));
      });
    }
  }

  /** Plays until the end (returns why) or a close (returns undefined); a seek starts the walk again. */
  private async run(viewer: FeedViewer): Promise<string | undefined> {
    let lastInfo = '';
    for (;;) {
      const generation = this.generation;
      const startAt = Math.floor(this.from + this.position());
      const files = await this.index.files(this.cameraId, startAt, this.to);
      let interrupted = false;
      let first = true;
      for (const f of files) {
        let mp4: Mp4File;
        try {
          mp4 = await openMp4File(join(this.dataDir, ...f.path.split('/')));
        } catch {
          continue; // a file gone (retention) or unreadable: the next one
        }
        try {
          const track = mp4.movie.tracks.find((t) => t.handler === 'vide' && (t.entry?.codec === 'h264' || t.entry?.codec === 'h265'));
          if (!track) continue;
          const timed = timeSamples(track, await this.index.fileFragments(f.id));
          let i = first ? startIndex(timed, startAt) : timed.findIndex((s) => s.keyframe);
          if (i < 0) continue;
          first = false;
          const entry = track.entry!;
          const info: StreamInfo = { video: { codec: entry.codec!, codecString: '', parameterSets: entry.parameterSets, width: 0, height: 0 } };
          const key = entry.parameterSets.map((p) => p.toString('hex')).join(':');
          if (key !== lastInfo) {
            viewer.onInfo(info);
            lastInfo = key;
          }
          for (; i < timed.length; i++) {
            const t = timed[i]!;
            if (t.wall >= this.to) return 'end of the requested range';
            if (!(await this.until(t.wall - this.from, generation))) {
              interrupted = true;
              break;
            }
            const s = track.samples[t.index]!;
            const sample = await mp4.readSample(s);
            // A PAUSE that came while the picture was read holds it too: nothing goes out past a pause.
            if (this.paused && !(await this.until(t.wall - this.from, generation))) {
              interrupted = true;
              break;
            }
            const nalus = splitLengthPrefixed(sample, entry.nalLengthSize).filter((n) => !isParameterSet(entry.codec!, n));
            if (this.closed || generation !== this.generation) {
              interrupted = true;
              break;
            }
            if (!nalus.length) continue;
            const frame: VideoFrame = { kind: 'video', wallClockMs: Math.round(t.wallPts), pts90k: Math.round((t.wallPts - this.from) * 90), keyframe: t.keyframe, nalus };
            if (t.wallPts !== t.wall) frame.dts90k = Math.round((t.wall - this.from) * 90);
            this.framesRead++;
            viewer.onFrame(frame);
          }
        } finally {
          await mp4.close().catch(() => undefined);
        }
        if (interrupted) break;
      }
      if (this.closed) return undefined;
      if (!interrupted) return files.length ? 'end of the recordings in the range' : 'no recordings in the range';
    }
  }
}

/** Each sample's wall-clock time: its fragment's start in the index plus its offset in the fragment. */
function timeSamples(track: Mp4Track, fragments: readonly FragmentInFile[]): TimedSample[] {
  const frags = [...fragments].sort((a, b) => a.byteOffset - b.byteOffset);
  const out: TimedSample[] = [];
  let f = -1;
  let fragFirstDts = 0;
  const ms = (ticks: number) => (ticks * 1000) / track.timescale;
  track.samples.forEach((s, index) => {
    let g = f;
    while (g + 1 < frags.length && frags[g + 1]!.byteOffset <= s.offset) g++;
    const { dts, pts } = sampleTimes(track, s);
    if (g !== f) {
      f = g;
      fragFirstDts = dts;
    }
    if (f < 0) return; // before the first indexed fragment: not a recording the index knows
    const wall = frags[f]!.startMs + ms(dts - fragFirstDts);
    out.push({ wall, wallPts: wall + ms(pts - dts), keyframe: s.keyframe, index });
  });
  return out;
}

/** The last keyframe at or before `at`, else the first keyframe after it. */
function startIndex(timed: readonly TimedSample[], at: number): number {
  let best = -1;
  for (let i = 0; i < timed.length; i++) {
    if (!timed[i]!.keyframe) continue;
    if (timed[i]!.wall <= at) best = i;
    else return best >= 0 ? best : i;
  }
  return best;
}

function isParameterSet(codec: 'h264' | 'h265', nal: Buffer): boolean {
  if (codec === 'h264') {
    const t = nal[0]! & 0x1f;
    return t === 7 || t === 8 || t === 9;
  }
  const t = (nal[0]! >> 1) & 0x3f;
  return t >= 32 && t <= 35;
}

function clampScale(s: number): number {
  return Number.isFinite(s) && s > 0 ? Math.min(s, MAX_SCALE) : 1;
}
