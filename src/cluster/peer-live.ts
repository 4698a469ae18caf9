// Live view routed to the recorder node that holds the camera (issue 22). An API node does not
// open the camera itself: the camera gives its stream to one connection, the recorder's, and the
// cameras' network need not reach the API nodes. The holder serves what its recording session
// receives (`GET /cluster/live?camera=&exp=&sig=` on its footage server, signed with the key of
// cluster_keys like footage reads), and the API node's stream hub takes it as the camera's source
// (PeerLiveSource). When the camera moves (its node killed, a hand-over), the stream ends or goes
// quiet, the hub opens the source again and the route is read again: the new holder's stream.
//
// The stream is a run of records, each [type u8][length u32][payload]:
//   1 info:  the stream description as JSON (parameter sets in base64);
//   2 frame: [flags u8: 1 keyframe, 2 has dts][wallClockMs f64][pts90k f64][dts90k f64][count u16]
//            then each NAL unit as [length u32][bytes] (so the units arrive length-prefixed).
// The first frame sent is a keyframe; a viewer that cannot keep up skips to the next keyframe.
import { EventEmitter } from 'node:events';
import { request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { MediaSource, SourceEvents, SourceStats, StreamInfo, VideoFrame } from '../ingest/source.js';

const INFO = 1;
const FRAME = 2;
const HEADER = 5;
const FRAME_FIXED = 1 + 8 * 3 + 2;
/** A record larger than this is not a frame of a camera: the stream is broken. */
const MAX_RECORD = 32 << 20;
/** Bytes waiting in the socket past which the frames up to the next keyframe are dropped. */
const BACKLOG_BYTES = 4 << 20;

/** What a recorder node's session of a camera gives to live viewers on other nodes. */
export interface LiveTap {
  /** The stream description, once the camera sent it. */
  readonly info: StreamInfo | undefined;
  /**
   * Tells the viewer at once the stream description (once there is one) and the frames since the
   * last keyframe the tap still holds, then frames as they arrive, in order, none twice (read at
   * once: their memory may be reused after); returns the unsubscribe.
   */
  subscribe(viewer: { onInfo(info: StreamInfo): void; onFrame(frame: VideoFrame): void; onEnd(): void }): () => void;
}

/** The signed path of a camera's live stream (see signFootageRead). */
export function livePath(cameraId: number): string {
  return `live/${cameraId}`;
}

function record(type: number, payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(HEADER);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export function encodeInfo(info: StreamInfo): Buffer {
  const v = info.video;
  const json = { codec: v.codec, codecString: v.codecString, width: v.width, height: v.height, fps: v.fps, parameterSets: v.parameterSets.map((p) => p.toString('base64')) };
  return record(INFO, Buffer.from(JSON.stringify(json)));
}

/** One record holding a copy of the frame's units (the source may reuse their memory after). */
export function encodeFrame(f: VideoFrame): Buffer {
  let size = HEADER + FRAME_FIXED;
  for (const n of f.nalus) size += 4 + n.length;
  const b = Buffer.allocUnsafe(size);
  b.writeUInt8(FRAME, 0);
  b.writeUInt32BE(size - HEADER, 1);
  let o = HEADER;
  o = b.writeUInt8((f.keyframe ? 1 : 0) | (f.dts90k !== undefined ? 2 : 0), o);
  o = b.writeDoubleBE(f.wallClockMs, o);
  o = b.writeDoubleBE(f.pts90k, o);
  o = b.writeDoubleBE(f.dts90k ?? 0, o);
  o = b.writeUInt16BE(f.nalus.length, o);
  for (const n of f.nalus) {
    o = b.writeUInt32BE(n.length, o);
    o += n.copy(b, o);
  }
  return b;
}

function decodeInfo(payload: Buffer): StreamInfo {
  const j = JSON.parse(payload.toString()) as { codec: 'h264' | 'h265'; codecString: string; width: number; height: number; fps?: number; parameterSets: string[] };
  if ((j.codec !== 'h264' && j.codec !== 'h265') || !Array.isArray(j.parameterSets)) throw new Error('peer live: malformed stream description');
  return { video: { codec: j.codec, codecString: j.codecString, width: j.width, height: j.height, ...(j.fps ? { fps: j.fps } : {}), parameterSets: j.parameterSets.map((p) => Buffer.from(p, 'base64')) } };
}

function decodeFrame(p: Buffer): VideoFrame {
  if (p.length < FRAME_FIXED) throw new Error('peer live: short frame record');
  const flags = p.readUInt8(0);
  const count = p.readUInt16BE(25);
  const nalus: Buffer[] = [];
  let o = FRAME_FIXED;
  for (let i = 0; i < count; i++) {
    if (o + 4 > p.length) throw new Error('peer live: frame record cut short');
    const n = p.readUInt32BE(o);
    if (o + 4 + n > p.length) throw new Error('peer live: frame record cut short');
    nalus.push(p.subarray(o + 4, o + 4 + n));
    o += 4 + n;
  }
  return { kind: 'video', keyframe: (flags & 1) !== 0, wallClockMs: p.readDoubleBE(1), pts90k: p.readDoubleBE(9), ...(flags & 2 ? { dts90k: p.readDoubleBE(17) } : {}), nalus, lengthPrefixed: true };
}

/** Splits the byte stream into records. */
export class LiveRecordReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly on: { info(info: StreamInfo): void; frame(frame: VideoFrame): void }) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < HEADER) return;
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let o = 0;
    while (buf.length - o >= HEADER) {
      const type = buf.readUInt8(o);
      const len = buf.readUInt32BE(o + 1);
      if ((type !== INFO && type !== FRAME) || len > MAX_RECORD) throw new Error(`peer live: not a record (type ${type}, ${len} bytes)`);
      if (buf.length - o - HEADER < len) break;
      const payload = buf.subarray(o + HEADER, o + HEADER + len);
      o += HEADER + len;
      if (type === INFO) this.on.info(decodeInfo(payload));
      else this.on.frame(decodeFrame(payload));
    }
    buf = buf.subarray(o);
    this.pending = buf.length ? [buf] : [];
    this.pendingBytes = buf.length;
  }
}

/** Sends a tap's stream on an HTTP response until the session ends or the reader goes away. */
export function serveLive(res: ServerResponse, tap: LiveTap): void {
  res.writeHead(200, { 'content-type': 'application/vnd.vigil.live', 'cache-control': 'no-store' });
  res.flushHeaders();
  let keyed = false;
  const unsubscribe = tap.subscribe({
    onInfo: (info) => {
      keyed = false;
      res.write(encodeInfo(info));
    },
    onFrame: (f) => {
      if (!keyed && !f.keyframe) return;
      // A reader that cannot keep up loses whole GOPs, never a picture's references.
      if (res.writableLength > BACKLOG_BYTES) return void (keyed = false);
      keyed = true;
      res.write(encodeFrame(f));
    },
    onEnd: () => {
      unsubscribe();
      res.end();
    },
  });
  res.once('close', unsubscribe);
}

export interface PeerLiveSourceOptions {
  /** The holder's live URL with its signature. */
  url(): string;
  /** Who holds the camera, for the log. */
  nodeId: string;
  cameraId: number;
  connectTimeoutMs?: number;
  /** Nothing received for this long (a paused or cut-off node): the source closes (default 6 s). */
  stallTimeoutMs?: number;
}

/** A camera's stream as the recorder node that holds it serves it. */
export class PeerLiveSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private stall: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: PeerLiveSourceOptions) {
    super();
  }

  get displayUrl(): string {
    return `vigil-node://${this.o.nodeId}/live/${this.o.cameraId}`;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(this.o.url(), { method: 'GET', timeout: this.o.connectTimeoutMs ?? 5000 });
      this.req = req;
      req.on('timeout', () => req.destroy(new Error(`recorder node ${this.o.nodeId} did not answer`)));
      req.on('error', (e) => {
        reject(e);
        this.fail(e);
      });
      req.on('response', (res) => {
        this.res = res;
        if (res.statusCode !== 200) {
          const e = new Error(`recorder node ${this.o.nodeId} answered ${res.statusCode} for camera ${this.o.cameraId}'s live stream`);
          res.resume();
          reject(e);
          return this.fail(e);
        }
        req.setTimeout(0);
        const reader = new LiveRecordReader({ info: (i) => this.emit('info', i), frame: (f) => this.emit('frame', f) });
        this.arm();
        res.on('data', (chunk: Buffer) => {
          this.stats.bytesIn += chunk.length;
          this.arm();
          try {
            reader.push(chunk);
          } catch (e) {
            this.fail(e as Error);
          }
        });
        res.on('end', () => void this.close());
        res.on('error', (e) => this.fail(e));
        resolve();
      });
      req.end();
    });
  }

  private arm(): void {
    clearTimeout(this.stall);
    this.stall = setTimeout(() => this.fail(new Error(`nothing from recorder node ${this.o.nodeId} for ${this.o.stallTimeoutMs ?? 6000} ms`)), this.o.stallTimeoutMs ?? 6000);
    this.stall.unref();
  }

  private fail(e: Error): void {
    if (this.closed) return;
    if (this.listenerCount('error')) this.emit('error', e);
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stall);
    this.res?.destroy();
    this.req?.destroy();
    this.emit('close');
  }
}
