// A recording session's frames taken in the same process: the description first, frames from
// the first keyframe, each a copy that outlives the memory the recorder hands back, and the
// session's end closing the source.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import { StreamHub } from '../live/stream-hub.js';
import { testSources } from '../../test/support/sources.js';
import { SlabArena, SlabPool } from '../media/rtp/slab-arena.js';
import { FrameCarver, LocalLiveSource } from './local-live.js';
import type { LiveTap } from './peer-live.js';

const INFO: StreamInfo = { video: { codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720, fps: 25, parameterSets: [Buffer.from([0x67, 1, 2, 3]), Buffer.from([0x68, 4])] } };

class Session implements LiveTap {
  info: StreamInfo | undefined;
  private readonly e = new EventEmitter();
  subscribe(v: { onInfo(i: StreamInfo): void; onFrame(f: VideoFrame): void; onEnd(): void }): () => void {
    const i = (x: StreamInfo) => v.onInfo(x);
    const f = (x: VideoFrame) => v.onFrame(x);
    const end = () => v.onEnd();
    this.e.on('info', i).on('frame', f).on('end', end);
    // As a recording session: the description at once, once there is one.
    if (this.info) v.onInfo(this.info);
    return () => void this.e.off('info', i).off('frame', f).off('end', end);
  }
  describe(info: StreamInfo): void {
    this.info = info;
    this.e.emit('info', info);
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

/** A frame whose units are views into `memory`, as a source that reuses its read buffer gives them. */
function frameIn(memory: Buffer, i: number, keyframe: boolean): VideoFrame {
  memory.fill(i);
  memory[0] = keyframe ? 0x65 : 0x41;
  return { kind: 'video', keyframe, wallClockMs: 1_796_000_000_000 + i * 40, pts90k: i * 3600, ...(i % 2 ? { dts90k: i * 3600 - 1800 } : {}), nalus: [memory.subarray(0, 5), memory.subarray(5, 900)], release: () => undefined };
}

describe('a recording session of this process as a stream hub source', () => {
  it('gives the description, then copies of the frames from the first keyframe that survive the reuse of their memory', async () => {
    const session = new Session();
    session.info = INFO;
    const source = new LocalLiveSource(session, 7);
    const infos: StreamInfo[] = [];
    const got: VideoFrame[] = [];
    source.on('info', (i) => infos.push(i));
    source.on('frame', (f) => void (f.kind === 'video' && got.push(f)));
    await source.start();
    expect(infos).toEqual([INFO]);
    expect(session.viewers).toBe(1);

    const memory = Buffer.alloc(900);
    const expected: Buffer[][] = [];
    for (const [i, key] of [[1, false], [2, true], [3, false], [4, true]] as const) {
      const f = frameIn(memory, i, key);
      if (i >= 2) expected.push(f.nalus.map((n) => Buffer.from(n)));
      session.frame(f);
    }
    // The source's memory now holds the last frame only; the copies still hold each their own.
    expect(got.map((f) => f.pts90k)).toEqual([2, 3, 4].map((i) => i * 3600));
    expect(got.map((f) => f.nalus)).toEqual(expected);
    expect(got.map((f) => f.dts90k)).toEqual([undefined, 3 * 3600 - 1800, undefined]);
    expect(got.every((f) => f.release === undefined && f.lengthPrefixed === true)).toBe(true);
    for (const f of got) for (const n of f.nalus) expect(Buffer.from(n.buffer, n.byteOffset - 4, 4).readUInt32BE(0)).toBe(n.length);
    expect(source.stats.bytesIn).toBe(3 * 900);

    // A new connection of the session: a new description, and again nothing before a keyframe.
    session.describe({ video: { ...INFO.video, width: 640, height: 360 } });
    session.frame(frameIn(memory, 5, false));
    session.frame(frameIn(memory, 6, true));
    expect(infos.map((i) => i.video.width)).toEqual([1280, 640]);
    expect(got.map((f) => f.pts90k / 3600)).toEqual([2, 3, 4, 6]);

    let closed = false;
    source.on('close', () => (closed = true));
    session.end();
    expect(closed).toBe(true);
    expect(session.viewers).toBe(0);
  });

  it('closing the source leaves the session', async () => {
    const session = new Session();
    const source = new LocalLiveSource(session, 7);
    const infos: StreamInfo[] = [];
    source.on('info', (i) => infos.push(i));
    await source.start();
    // No description yet: none is given until the session has one.
    expect(infos).toEqual([]);
    expect(session.viewers).toBe(1);
    await source.close();
    expect(session.viewers).toBe(0);
  });

  it('carves copies out of shared chunks without one overlapping another, and gives a large frame its own', () => {
    const carver = new FrameCarver(1024);
    // Every copy claimed (held) throughout, as a hub's GOP holds them.
    const claimed = (n: number) => {
      const c = carver.take(n);
      c.retain();
      return c.bytes;
    };
    const [a, b, c, d, e, big] = [200, 201, 250, 250, 200, 300].map(claimed) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    // e does not fit after a to d: a new chunk; big is over a quarter of a chunk: a buffer of its own.
    expect([b, c, d].every((x) => x.buffer === a.buffer)).toBe(true);
    expect([b.byteOffset - a.byteOffset, c.byteOffset - b.byteOffset, d.byteOffset - c.byteOffset]).toEqual([200, 208, 256]); // 8-byte boundaries
    expect(e.buffer).not.toBe(a.buffer);
    expect(big.buffer === a.buffer || big.buffer === e.buffer).toBe(false);
    const all = [a, b, c, d, e, big];
    all.forEach((x, i) => x.fill(i + 1));
    expect(all.map((x, i) => x.every((v) => v === i + 1))).toEqual(all.map(() => true));
    expect(all.map((x) => x.length)).toEqual([200, 201, 250, 250, 200, 300]);
  });

  it('writes a chunk again only once every copy in it is let go: a held copy keeps its bytes, whoever else is carved', () => {
    const carver = new FrameCarver(1024, 4);
    let seed = 19;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    // Each copy filled with a value of its own; held for a number of later copies, some for ever.
    const live: { bytes: Buffer; value: number; until: number; letGo: () => void }[] = [];
    const forever: { bytes: Buffer; value: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const carving = carver.take(40 + random(200));
      const value = i % 251;
      carving.bytes.fill(value);
      const letGo = carving.retain();
      // A second claim on some, let go at another time (a GOP and a viewer, say).
      if (random(3) === 0) live.push({ bytes: carving.bytes, value, until: i + random(40), letGo: carving.retain() });
      if (random(500) === 0) forever.push({ bytes: carving.bytes, value });
      else live.push({ bytes: carving.bytes, value, until: i + random(25), letGo });
      for (let k = live.length - 1; k >= 0; k--) {
        if (live[k]!.until > i) continue;
        live[k]!.letGo();
        live[k]!.letGo(); // a second call lets go nothing more
        live.splice(k, 1);
      }
      for (const held of [...live, ...forever]) if (!held.bytes.every((v) => v === held.value)) throw new Error(`copy ${held.value} was written over at step ${i}`);
    }
    // Chunks did come back; with about 25 copies held a chunk holds about 7, so few were allocated.
    expect(carver.stats.reused).toBeGreaterThan(300);
    expect(carver.stats.allocated).toBeLessThan(carver.stats.reused / 5);
  });

  it('in a stream hub, reuses the copies\' memory behind a viewer that copies, never behind the GOP or a viewer that may keep frames', async () => {
    const session = new Session();
    session.info = INFO;
    // Chunks of 8 KiB: 8 copies each, a GOP of 25 spans four.
    const carver = new FrameCarver(8 * 1024);
    const source = new LocalLiveSource(session, 7, carver);
    const hub = new StreamHub({ sources: testSources(null), sourceUrl: async () => 'rtsp://127.0.0.1/cam', relay: async () => source, lingerMs: 10 });
    const memory = Buffer.alloc(900);
    // Every frame's copy is checked by the value it was made from, while anyone may still read it.
    const valueOf = (f: VideoFrame) => f.pts90k / 3600;
    const intact = (f: VideoFrame) => f.nalus[1]!.every((v) => v === valueOf(f) % 256);
    const copying: VideoFrame[] = [];
    const sub = await hub.watch(7, { copiesFrames: true, onInfo: () => undefined, onFrame: (f) => void (f.kind === 'video' && copying.push(f)) });
    await sub.feed.ready();
    const gopOf = (n: number) => n % 25 === 1; // a keyframe every 25 pictures
    for (let i = 1; i <= 200; i++) session.frame(frameIn(memory, i, gopOf(i)));
    const stats = carver.stats;
    expect(stats.reused).toBeGreaterThan(10);
    expect(stats.allocated).toBeLessThan(10);
    // A viewer joining now is given the GOP since frame 176, every byte as it was made.
    const late: VideoFrame[] = [];
    const keeper = await hub.watch(7, { onInfo: () => undefined, onFrame: (f) => void (f.kind === 'video' && late.push(f)) });
    expect(late.map(valueOf)).toEqual(Array.from({ length: 25 }, (_, k) => 176 + k));
    expect(late.every(intact)).toBe(true);
    // This viewer may keep what it is given: nothing it holds is written over, GOPs come and go.
    const recycledBefore = stats.recycled;
    for (let i = 201; i <= 400; i++) session.frame(frameIn(memory, i, gopOf(i)));
    expect(late.length).toBe(225);
    expect(late.every(intact)).toBe(true);
    expect(stats.recycled).toBe(recycledBefore);
    // Once it has left, chunks come back again.
    keeper.close();
    for (let i = 401; i <= 600; i++) session.frame(frameIn(memory, i, gopOf(i)));
    expect(stats.recycled).toBeGreaterThan(recycledBefore + 10);
    expect(copying.length).toBe(600);
    sub.close();
    await hub.close();
  });
  it('shares, without a copy, frames whose memory its source lets be claimed: the GOP keeps the slabs the recorder has let go', async () => {
    const session = new Session();
    session.info = INFO;
    const carver = new FrameCarver(8 * 1024);
    const source = new LocalLiveSource(session, 7, carver);
    const hub = new StreamHub({ sources: testSources(null), sourceUrl: async () => 'rtsp://127.0.0.1/cam', relay: async () => source, lingerMs: 10 });
    // An RTSP camera's frames: units in slabs of 4 KiB (four frames each), each frame claimed once
    // for the recorder, which lets it go as soon as it has the frame (written at once, say).
    const pool = new SlabPool(4096);
    const arena = new SlabArena(pool, { lengthPrefix: true });
    const frameOf = (i: number): VideoFrame => {
      arena.open();
      arena.append(Buffer.from([i % 12 === 1 ? 0x65 : 0x41]));
      arena.append(Buffer.alloc(900, i));
      const nalu = arena.close();
      const claim = arena.claimShared()!;
      return { kind: 'video', keyframe: i % 12 === 1, wallClockMs: 1_796_000_000_000 + i * 40, pts90k: i * 3600, nalus: [nalu], lengthPrefixed: true, release: claim.release, retain: claim.retain };
    };
    const intact = (f: VideoFrame) => f.nalus[0]!.subarray(1).every((v) => v === (f.pts90k / 3600) % 256);
    const seen: VideoFrame[] = [];
    const given: Buffer[] = [];
    const sub = await hub.watch(7, { copiesFrames: true, onInfo: () => undefined, onFrame: (f) => void (f.kind === 'video' && seen.push(f)) });
    await sub.feed.ready();
    for (let i = 1; i <= 120; i++) {
      const f = frameOf(i);
      given.push(f.nalus[0]!);
      session.frame(f);
      f.release!(); // the recorder is done with it
    }
    // The very memory the camera's frames were in, without the recorder's release.
    expect(seen.map((f) => f.nalus[0])).toEqual(given);
    expect(seen.every((f, i) => f.nalus[0] === given[i] && f.release === undefined && f.lengthPrefixed)).toBe(true);
    expect(carver.stats.allocated).toBe(0);
    // Slabs went back to the pool behind the GOPs, and were written again.
    expect(pool.stats.reused).toBeGreaterThan(10);
    // A viewer joining now is given the GOP since frame 109 (three slabs), as it was made.
    const late: VideoFrame[] = [];
    const keeper = await hub.watch(7, { onInfo: () => undefined, onFrame: (f) => void (f.kind === 'video' && late.push(f)) });
    expect(late.map((f) => f.pts90k / 3600)).toEqual(Array.from({ length: 12 }, (_, k) => 109 + k));
    expect(late.every(intact)).toBe(true);
    // It may keep them: nothing it holds is written over while the camera goes on.
    for (let i = 121; i <= 200; i++) {
      const f = frameOf(i);
      session.frame(f);
      f.release!();
    }
    expect(late.length).toBe(92);
    expect(late.every(intact)).toBe(true);
    keeper.close();
    sub.close();
    await hub.close();
  });
});
