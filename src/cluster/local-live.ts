// A camera's stream taken from the recording session of this same process (issue 19): the tap a
// recorder node serves to the other nodes (peer-live.ts), read here without the HTTP hop, so a
// stream hub of this process (live view, the upward cascade) does not open a camera the recorder
// already receives. The camera then gives one stream, to the recorder, whoever watches it.
//
// The session's frames may be views into memory its source reuses once the recorder has written
// them, while a hub keeps the current GOP for its next viewer: each frame is copied once, into
// one buffer with each unit preceded by its length (as a peer's stream arrives). Frames before the
// first keyframe after a stream description are not copied (nobody could decode them). The end
// of the session (its camera no longer recorded here, the recorder closing) closes the source;
// the hub then opens the camera again, by whichever way is right by then.
import { EventEmitter } from 'node:events';
import type { MediaSource, SourceEvents, SourceStats, StreamInfo, VideoFrame } from '../ingest/source.js';
import type { LiveTap } from './peer-live.js';

/**
 * Memory for frame copies, carved one after another out of chunks, so a stream's frames are a few
 * large buffers rather than one buffer each (with many streams, a buffer a frame kept alive by the
 * hubs' GOPs was most of this process's garbage collection). A chunk is never written twice: it
 * lives while any frame carved from it does.
 */
export class FrameCarver {
  private chunk = Buffer.alloc(0);
  private used = 0;

  constructor(private readonly chunkBytes = 512 * 1024) {}

  take(size: number): Buffer {
    if (size > this.chunkBytes / 4) return Buffer.allocUnsafe(size);
    if (this.used + size > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(this.chunkBytes);
      this.used = 0;
    }
    const b = this.chunk.subarray(this.used, this.used + size);
    // Each copy starts on an 8-byte boundary, as a buffer of its own would.
    this.used += (size + 7) & ~7;
    return b;
  }
}

/** A copy of the frame's units in one buffer, each preceded by its length (`lengthPrefixed`). */
export function copyFrame(f: VideoFrame, memory?: FrameCarver): VideoFrame {
  let size = 0;
  for (const n of f.nalus) size += 4 + n.length;
  const b = memory ? memory.take(size) : Buffer.allocUnsafe(size);
  const nalus: Buffer[] = [];
  let o = 0;
  for (const n of f.nalus) {
    o = b.writeUInt32BE(n.length, o);
    b.set(n, o);
    nalus.push(b.subarray(o, o + n.length));
    o += n.length;
  }
  return { kind: 'video', keyframe: f.keyframe, wallClockMs: f.wallClockMs, pts90k: f.pts90k, ...(f.dts90k !== undefined ? { dts90k: f.dts90k } : {}), nalus, lengthPrefixed: true };
}

/** The frames a recording session of this process receives, as a media source of a stream hub. */
export class LocalLiveSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private unsubscribe: (() => void) | undefined;
  private keyed = false;
  private closed = false;
  private readonly memory = new FrameCarver();

  constructor(
    private readonly tap: LiveTap,
    private readonly cameraId: number,
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
        const copy = copyFrame(f, this.memory);
        this.stats.bytesIn += copy.nalus.reduce((s, n) => s + n.length, 0);
        this.emit('frame', copy);
      },
      onEnd: () => void this.close(),
    });
    if (this.tap.info) this.onInfo(this.tap.info);
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
