// One simulated camera: a mount on the simulator's RTSP server fed from a shared encoder. Every
// camera sends the same payload buffers with its own SSRC, sequence numbers and RTP clock; only
// the 12-byte RTP header (RFC 3550 §5.1) is written per camera. Fault modes change what it sends.
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { MountedSource, RtspServer } from '../media/rtsp/rtsp-server.js';
import type { EncodedFrame, SharedEncoder } from './encoder.js';
import type { EncoderPool } from './encoder-pool.js';
import { SimError } from './errors.js';
import { KeyframePicker } from './keyframe-on-demand.js';
import type { PictureKind } from './picture.js';

export const FAULT_MODES = ['none', 'drop', 'stall', 'black', 'frozen', 'moved'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export function isFaultMode(v: unknown): v is FaultMode {
  return typeof v === 'string' && (FAULT_MODES as readonly string[]).includes(v);
}

/** The picture a camera in `mode` shows (a dropped or stalled camera keeps its clock running). */
export function pictureFor(mode: FaultMode): PictureKind {
  return mode === 'black' || mode === 'frozen' || mode === 'moved' ? mode : 'live';
}

const PAYLOAD_TYPE = 96;

interface Feed {
  encoder: SharedEncoder;
  unsubscribe: () => void;
}

export interface CameraCounters {
  frames: number;
  packets: number;
  bytes: number;
}

export class SimCamera {
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly counters: CameraCounters = { frames: 0, packets: 0, bytes: 0 };
  private seq = randomInt(0, 0x10000);
  private ts = randomInt(0, 0xffffffff);
  private mode: FaultMode = 'none';
  private feed: Feed | undefined;
  /** The encoder being switched to; it takes over at its next keyframe. */
  private next: Feed | undefined;
  private mount: MountedSource | undefined;
  private wallClockOffsetMs = 0;
  private awaitKeyframe = true;
  private readonly tick: number;
  private viewerSockets: Socket[] = [];
  private viewerSocketsAt = -1;
  /** Frames made but not yet due (a staggered camera sends each `delayFrames` intervals late). */
  private readonly delayed: EncodedFrame[] = [];
  /** Beside each, the all-intra frame made at the same moment (keyframes on demand). */
  private readonly delayedIntra: (EncodedFrame | undefined)[] = [];
  private readonly keyframes = new KeyframePicker();

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly server: RtspServer,
    private readonly pool: EncoderPool,
    private readonly sdp: () => string,
    fps: number,
    /** Frame intervals this camera lags its encoder by (staggered GOPs; 0: none). */
    private readonly delayFrames = 0,
  ) {
    this.tick = Math.round(90000 / fps);
  }

  get fault(): FaultMode {
    return this.mode;
  }

  get viewers(): number {
    return this.mount?.viewers ?? 0;
  }

  start(): void {
    this.feed = this.subscribe('live');
    this.mountSelf();
  }

  setFault(mode: FaultMode): void {
    if (!isFaultMode(mode)) throw new SimError('SIM_FAULT', `unknown fault mode "${String(mode)}"`);
    if (!this.feed) throw new SimError('SIM_CLOSED', `${this.name} is closed`);
    const before = this.mode;
    this.mode = mode;
    if (mode === 'drop') this.drop();
    else if (before === 'drop') this.mountSelf();
    const kind = pictureFor(mode);
    if (this.next) this.endFeed(this.next);
    this.next = undefined;
    if (kind !== this.feed.encoder.kind) this.next = this.subscribe(kind);
  }

  /**
   * Asks for an IDR as the next picture sent (ONVIF SetSynchronizationPoint; keyframe-on-demand.ts).
   * False when it cannot be honoured: the simulator runs no all-intra encoder (`keyframeOnDemand`),
   * or the camera shows a fault picture; the camera's next keyframe then comes with its GOP.
   */
  requestKeyframe(): boolean {
    if (!this.pool.intra?.latest || this.feed?.encoder !== this.pool.live || this.next) return false;
    this.keyframes.request();
    return true;
  }

  /** Keyframe requests honoured so far (an all-intra picture sent in place of one of the line). */
  get keyframesOnDemand(): number {
    return this.keyframes.answered;
  }

  /**
   * Moves this camera's RTP clock by `ms` at once, as an encoder restart or a camera whose
   * timestamps jump does: the frames keep coming at their rate, their timestamps do not follow.
   */
  jumpClock(ms: number): void {
    this.ts = (this.ts + Math.round(ms * 90)) >>> 0;
  }

  /**
   * Moves the wall clock this camera's sender reports give by `ms` (a camera whose NTP client
   * corrects its clock): its RTP timestamps and frame rate are unchanged.
   */
  shiftWallClock(ms: number): void {
    this.wallClockOffsetMs += ms;
  }

  close(): void {
    if (this.next) this.endFeed(this.next);
    if (this.feed) this.endFeed(this.feed);
    this.next = this.feed = undefined;
    this.mount?.unmount();
    this.mount = undefined;
  }

  private mountSelf(): void {
    if (this.mount) return;
    this.mount = this.server.mount(this.path, {
      sdp: this.sdp,
      senderClockOffsetMs: () => this.wallClockOffsetMs,
      // A first viewer gets a decodable stream: nothing before the next keyframe.
      onPlay: () => {
        this.awaitKeyframe = true;
      },
    });
  }

  /** Closes the connections of this camera's viewers and refuses new ones (404) until restored. */
  private drop(): void {
    for (const s of this.server.sessions.values()) if (s.mountPath === this.mount?.path) s.socket.destroy();
    this.mount?.unmount();
    this.mount = undefined;
  }

  private subscribe(kind: PictureKind): Feed {
    const encoder = this.pool.acquire(kind);
    const feed: Feed = { encoder, unsubscribe: () => undefined };
    feed.unsubscribe = encoder.subscribe((f) => this.onFrame(feed, f));
    return feed;
  }

  private endFeed(feed: Feed): void {
    feed.unsubscribe();
    this.pool.release(feed.encoder.kind);
  }

  private onFrame(from: Feed, frame: EncodedFrame): void {
    if (from === this.next) {
      // Switch pictures only at a keyframe of the new one, so decoders never mix the two.
      if (!frame.keyframe || !this.feed) return;
      this.endFeed(this.feed);
      this.feed = from;
      this.next = undefined;
    } else if (from !== this.feed) {
      return;
    }
    // The all-intra frame of the same moment, for a keyframe asked for (live picture only).
    let intra = from.encoder === this.pool.live ? this.pool.intra?.latest : undefined;
    if (this.delayFrames > 0) {
      // The shared frames are only referenced here: a delay line of `delayFrames` of them.
      this.delayed.push(frame);
      this.delayedIntra.push(intra);
      if (this.delayed.length <= this.delayFrames) return;
      frame = this.delayed.shift()!;
      intra = this.delayedIntra.shift();
    }
    const picked = this.keyframes.pick(frame, intra);
    if (!picked) return;
    frame = picked;
    this.ts = (this.ts + this.tick) >>> 0;
    this.counters.frames++;
    const mount = this.mount;
    if (!mount || mount.viewers === 0 || this.mode === 'stall' || this.mode === 'drop') return;
    if (this.awaitKeyframe) {
      if (!frame.keyframe) return;
      this.awaitKeyframe = false;
    }
    this.send(mount, frame);
  }

  private send(mount: MountedSource, frame: EncodedFrame): void {
    const { payloads } = frame;
    // The server writes each packet as its own writev; corking the viewers' connections around a
    // frame turns a frame's packets into one, which is most of the simulator's cost at scale.
    const sockets = this.sockets(mount);
    for (const s of sockets) s.cork();
    // One allocation per frame for all of this camera's packets; each packet is a view into it.
    const slab = Buffer.allocUnsafe(frame.bytes + 12 * payloads.length);
    let o = 0;
    for (let i = 0; i < payloads.length; i++) {
      const p = payloads[i]!;
      const start = o;
      slab[o] = 0x80;
      slab[o + 1] = PAYLOAD_TYPE | (i === payloads.length - 1 ? 0x80 : 0);
      slab.writeUInt16BE(this.seq, o + 2);
      slab.writeUInt32BE(this.ts, o + 4);
      slab.writeUInt32BE(this.ssrc, o + 8);
      p.copy(slab, o + 12);
      o += 12 + p.length;
      this.seq = (this.seq + 1) & 0xffff;
      mount.push(0, slab.subarray(start, o));
    }
    for (const s of sockets) s.uncork();
    this.counters.packets += payloads.length;
    this.counters.bytes += frame.bytes;
  }

  // Looked up again when the viewer count changes and once a second; a stale list only costs
  // batching (cork/uncork on a socket that gets no write does nothing).
  private sockets(mount: MountedSource): Socket[] {
    if (this.viewerSocketsAt !== mount.viewers || this.counters.frames % 25 === 0) {
      this.viewerSockets = [];
      for (const s of this.server.sessions.values()) {
        if (s.mountPath === mount.path && s.transport === 'tcp' && s.playing) this.viewerSockets.push(s.socket);
      }
      this.viewerSocketsAt = mount.viewers;
    }
    return this.viewerSockets;
  }
}
