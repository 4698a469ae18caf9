// The live stream between a recorder node and an API node over real HTTP on loopback: frames
// arrive byte for byte from the first keyframe, a bad signature or a camera the node does not
// record is refused, and the end of the recording session ends the viewer's source.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import { PeerFootageServer, signedLiveUrl } from './peer-footage.js';
import { PeerLiveSource, type LiveTap } from './peer-live.js';

const KEY = Buffer.alloc(32, 7);
const INFO: StreamInfo = { video: { codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720, fps: 25, parameterSets: [Buffer.from([0x67, 1, 2, 3]), Buffer.from([0x68, 4])] } };

/** A recording session's frames as the recorder hands them to the tap. */
class Session implements LiveTap {
  info: StreamInfo | undefined = INFO;
  private readonly e = new EventEmitter();
  subscribe(v: { onInfo(i: StreamInfo): void; onFrame(f: VideoFrame): void; onEnd(): void }): () => void {
    const f = (x: VideoFrame) => v.onFrame(x);
    const end = () => v.onEnd();
    this.e.on('frame', f).on('end', end);
    // As a recording session: the description at once.
    if (this.info) v.onInfo(this.info);
    return () => void this.e.off('frame', f).off('end', end);
  }
  frame(f: VideoFrame): void {
    this.e.emit('frame', f);
  }
  end(): void {
    this.e.emit('end');
  }
  get viewers(): number {
    return this.e.listenerCount('frame');
  }
}

const frame = (i: number, keyframe: boolean): VideoFrame => ({ kind: 'video', keyframe, wallClockMs: 1_796_000_000_000 + i * 40, pts90k: i * 3600, ...(i % 3 === 0 ? { dts90k: i * 3600 - 3600 } : {}), nalus: [Buffer.from([keyframe ? 0x65 : 0x41, i, i + 1]), Buffer.alloc(3000 + i, i)] });

describe('live stream from the recorder node that holds the camera', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  const start = async (sessions: Map<number, Session>) => {
    const server = new PeerFootageServer({ dataDir: mkdtempSync(join(tmpdir(), 'vigil-peer-live-')), key: KEY, live: (id) => sessions.get(id) });
    const port = await server.listen();
    closers.push(() => server.close());
    return `http://127.0.0.1:${port}`;
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it('gives the stream description, then every frame from the first keyframe, byte for byte; ends with the session', async () => {
    const session = new Session();
    const base = await start(new Map([[5, session]]));
    const source = new PeerLiveSource({ url: () => signedLiveUrl(base, KEY, 5), nodeId: 'r1', cameraId: 5 });
    closers.push(() => source.close());
    const infos: StreamInfo[] = [];
    const got: VideoFrame[] = [];
    let closed = false;
    source.on('info', (i) => infos.push(i));
    source.on('frame', (f) => void (f.kind === 'video' && got.push(f)));
    source.on('close', () => (closed = true));
    await source.start();
    await until(() => infos.length === 1 && session.viewers === 1);
    expect(infos[0]).toEqual(INFO);
    const sent = [frame(1, false), frame(2, false), frame(3, true), frame(4, false), frame(5, false), frame(6, true), frame(7, false)];
    for (const f of sent) session.frame(f);
    await until(() => got.length === 5);
    // Frames before the first keyframe cannot be decoded and are not sent.
    expect(got.map((f) => ({ ...f, nalus: f.nalus.map((n) => Buffer.from(n)), lengthPrefixed: undefined }))).toEqual(sent.slice(2).map((f) => ({ ...f, lengthPrefixed: undefined })));
    // Each unit is preceded by its length, as the flag says.
    for (const f of got) for (const n of f.nalus) expect(Buffer.from(n.buffer, n.byteOffset - 4, 4).readUInt32BE(0)).toBe(n.length);
    session.end();
    await until(() => closed);
    expect(session.viewers).toBe(0);
  });

  it('refuses a bad signature (403) and a camera the node does not record (404), and the source says so', async () => {
    const base = await start(new Map([[5, new Session()]]));
    const forged = new PeerLiveSource({ url: () => signedLiveUrl(base, Buffer.alloc(32, 8), 5), nodeId: 'r1', cameraId: 5 });
    await expect(forged.start()).rejects.toThrow(/answered 403/);
    const other = new PeerLiveSource({ url: () => signedLiveUrl(base, KEY, 6), nodeId: 'r1', cameraId: 6 });
    await expect(other.start()).rejects.toThrow(/answered 404/);
    const dead = new PeerLiveSource({ url: () => 'http://127.0.0.1:1/cluster/live?camera=5', nodeId: 'r9', cameraId: 5 });
    await expect(dead.start()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes when the node goes quiet (a paused process) so the hub opens the camera again where it is', async () => {
    const session = new Session();
    const base = await start(new Map([[5, session]]));
    const source = new PeerLiveSource({ url: () => signedLiveUrl(base, KEY, 5), nodeId: 'r1', cameraId: 5, stallTimeoutMs: 300 });
    closers.push(() => source.close());
    const errors: Error[] = [];
    let closed = false;
    source.on('error', (e) => errors.push(e));
    source.on('close', () => (closed = true));
    await source.start();
    await until(() => closed);
    expect(errors[0]?.message).toMatch(/nothing from recorder node r1 for 300 ms/);
  });
});
