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

/** A copy of the frame's units in one buffer, each preceded by its length (`lengthPrefixed`). */
export function copyFrame(f: VideoFrame): VideoFrame {
  let size = 0;
  for (const n of f.nalus) size += 4 + n.length;
  const b = Buffer.allocUnsafe(size);
  const nalus: Buffer[] = [];
  let o = 0;
  for (const n of f.nalus) {
    o = b.writeUInt32BE(n.length, o);
    n.copy(b, o);
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
        const copy = copyFrame(f);
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
