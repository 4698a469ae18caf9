// A camera's stream taken from the recording session of this same process (issue 19): the tap a
// recorder node serves to the other nodes (peer-live.ts), read here without the HTTP hop, so a
// stream hub of this process (live view, the upward cascade) does not open a camera the recorder
// already receives. The camera then gives one stream, to the recorder, whoever watches it.
//
// The session's frames may be views into memory its source reuses once the recorder has written
// them, while a hub keeps the current GOP for its next viewer. A source that lets others claim
// that memory (VideoFrame.retain: an RTSP camera's slabs) has its frames shared as they are: the
// hub claims what it keeps. Any other frame is copied once, into one buffer with each unit
// preceded by its length (as a peer's stream arrives), carved from chunks this source writes
// again once the hub and its viewers have let every copy in one go. Frames before the first
// keyframe after a stream description are not copied (nobody could decode them). The session
// gives a new viewer the frames since the last keyframe it still holds, so the hub's first viewer
// starts at once rather than at the camera's next keyframe. The end of the session (its camera no longer recorded here, the
// recorder closing) closes the source; the hub then opens the camera again, by whichever way is
// right by then.
import { EventEmitter } from 'node:events';
import type { MediaSource, SourceEvents, SourceStats, StreamInfo, VideoFrame } from '../ingest/source.js';
import type { LiveTap } from './peer-live.js';

/** A chunk of copy memory and the claims on the copies carved from it. */
interface Chunk {
  readonly bytes: Buffer;
  /** Claims on copies in it not yet let go. */
  refs: number;
  /** The carver has moved on to another chunk: this one goes back once its claims are let go. */
  retired: boolean;
}

/** Memory for one copy and the claim on it that whoever holds it takes (`VideoFrame.retain`). */
export interface Carving {
  readonly bytes: Buffer;
  retain(): () => void;
}

export interface CarverStats {
  /** Chunks allocated (each first touched when written). */
  allocated: number;
  /** Chunks given back: the carver had moved past them and every copy in them was let go. */
  recycled: number;
  /** Chunks written again (taken back from those given back and kept). */
  reused: number;
}

/**
 * Memory for frame copies, carved one after another out of chunks, so a stream's frames are a few
 * large buffers rather than one buffer each (with many streams, a buffer a frame kept alive by the
 * hubs' GOPs was most of this process's garbage collection). A chunk is written again only when
 * the carver has moved past it and every claim on a copy in it has been let go (the hub's GOP
 * moved on, the viewers returned): then it costs neither an allocation nor the first touches of
 * fresh memory. A claim never let go keeps its chunk out of the pool for good; the garbage
 * collector frees it with its last copy.
 */
export class FrameCarver {
  readonly stats: CarverStats = { allocated: 0, recycled: 0, reused: 0 };
  private chunk: Chunk | undefined;
  private used = 0;
  private readonly free: Chunk[] = [];

  constructor(
    private readonly chunkBytes = 512 * 1024,
    /** Chunks kept for reuse at most (a stream needs about a GOP's worth and one more). */
    private readonly maxFree = 4,
  ) {}

  take(size: number): Carving {
    if (size > this.chunkBytes / 4) return { bytes: Buffer.allocUnsafe(size), retain: () => () => undefined };
    let chunk = this.chunk;
    if (!chunk || this.used + size > chunk.bytes.length) {
      if (chunk) this.retire(chunk);
      chunk = this.next();
      this.chunk = chunk;
      this.used = 0;
    }
    const bytes = chunk.bytes.subarray(this.used, this.used + size);
    // Each copy starts on an 8-byte boundary, as a buffer of its own would.
    this.used += (size + 7) & ~7;
    const c = chunk;
    return {
      bytes,
      retain: () => {
        c.refs++;
        let held = true;
        return () => {
          if (!held) return;
          held = false;
          if (--c.refs === 0 && c.retired) this.recycle(c);
        };
      },
    };
  }

  private next(): Chunk {
    const reused = this.free.pop();
    if (reused) {
      this.stats.reused++;
      reused.retired = false;
      return reused;
    }
    this.stats.allocated++;
    // Outside Node's shared pool: a chunk's memory is its own.
    return { bytes: Buffer.allocUnsafeSlow(this.chunkBytes), refs: 0, retired: false };
  }

  private retire(c: Chunk): void {
    c.retired = true;
    if (c.refs === 0) this.recycle(c);
  }

  private recycle(c: Chunk): void {
    this.stats.recycled++;
    if (this.free.length < this.maxFree) this.free.push(c);
  }
}

/**
 * A copy of the frame's units in one buffer carved from `memory`, each unit preceded by its length
 * (`lengthPrefixed`). The copy carries `retain`; `held` is the caller's own claim, to let go once
 * it has delivered the copy.
 */
export function copyFrame(f: VideoFrame, memory: FrameCarver): { frame: VideoFrame; held: () => void } {
  let size = 0;
  for (const n of f.nalus) size += 4 + n.length;
  const carving = memory.take(size);
  const b = carving.bytes;
  const nalus: Buffer[] = [];
  let o = 0;
  for (const n of f.nalus) {
    o = b.writeUInt32BE(n.length, o);
    b.set(n, o);
    nalus.push(b.subarray(o, o + n.length));
    o += n.length;
  }
  const frame: VideoFrame = { kind: 'video', keyframe: f.keyframe, wallClockMs: f.wallClockMs, pts90k: f.pts90k, ...(f.dts90k !== undefined ? { dts90k: f.dts90k } : {}), nalus, lengthPrefixed: true, retain: carving.retain };
  return { frame, held: carving.retain() };
}

/** The frames a recording session of this process receives, as a media source of a stream hub. */
export class LocalLiveSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private unsubscribe: (() => void) | undefined;
  private keyed = false;
  private closed = false;
  constructor(
    private readonly tap: LiveTap,
    private readonly cameraId: number,
    private readonly memory = new FrameCarver(),
  ) {
    super();
  }

  get displayUrl(): string {
    return `vigil-recorder://local/${this.cameraId}`;
  }

  async start(): Promise<void> {
    if (this.closed || this.unsubscribe) return;
    this.unsubscribe = this.tap.subscribe({
      onInfo: (info) => this.onInfo(info),
      onFrame: (f) => {
        if (!this.keyed && !f.keyframe) return;
        this.keyed = true;
        // Memory its source lets others claim (an RTSP camera's slabs) is shared, not copied.
        if (f.retain) return void this.share(f, f.retain);
        const { frame, held } = copyFrame(f, this.memory);
        this.stats.bytesIn += frame.nalus.reduce((s, n) => s + n.length, 0);
        try {
          this.emit('frame', frame);
        } finally {
          // Whoever keeps the copy past its delivery has claimed it by now (the hub's GOP).
          held();
        }
      },
      onEnd: () => void this.close(),
    });
  }

  /**
   * The session's frame itself, its memory claimed by whoever keeps it (the recorder holds it
   * until written, so it is not reused during this delivery), without the recorder's release.
   */
  private share(f: VideoFrame, retain: () => () => void): void {
    let bytes = 0;
    for (const n of f.nalus) bytes += n.length;
    this.stats.bytesIn += bytes;
    const frame: VideoFrame = { kind: 'video', keyframe: f.keyframe, wallClockMs: f.wallClockMs, pts90k: f.pts90k, nalus: f.nalus, retain };
    if (f.dts90k !== undefined) frame.dts90k = f.dts90k;
    if (f.lengthPrefixed) frame.lengthPrefixed = true;
    this.emit('frame', frame);
  }

  private onInfo(info: StreamInfo): void {
    this.keyed = false;
    this.emit('info', info);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.emit('close');
  }
}
