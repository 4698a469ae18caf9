// The stream hub opening a camera itself: each frame's memory goes back to the camera's source once
// delivered (as the recorder gives it back once written), so its slabs are written again rather
// than fresh memory taken for every picture — but never while the GOP kept for the next viewer,
// or a viewer that may keep frames, still holds a frame in them.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { MediaSource, SourceEvents, SourceStats, StreamInfo, VideoFrame } from '../ingest/source.js';
import { SlabArena, SlabPool } from '../media/rtp/slab-arena.js';
import { testSources } from '../../test/support/sources.js';
import { StreamHub } from './stream-hub.js';

const INFO: StreamInfo = { video: { codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720, fps: 25, parameterSets: [Buffer.from([0x67, 1, 2, 3]), Buffer.from([0x68, 4])] } };

/** A camera as the RTSP source gives it: each picture's units in slabs, claimable (`retain`) or not. */
class SlabCamera extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl = 'rtsp://127.0.0.1/cam';
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  readonly pool = new SlabPool(4096);
  /** The pictures whose memory was given back. */
  readonly released: number[] = [];
  private readonly arena = new SlabArena(this.pool, { lengthPrefix: true });
  constructor(private readonly claimable: boolean) {
    super();
  }
  async start(): Promise<void> {
    this.emit('info', INFO);
  }
  async close(): Promise<void> {
    this.arena.dispose();
    this.emit('close');
  }
  /**
   * Picture i: a keyframe every 12, two units of the value i (900 and 1,700 bytes after their
   * header byte), so that most pictures straddle two slabs, the first already left behind.
   */
  picture(i: number): VideoFrame {
    const nalus: Buffer[] = [];
    for (const size of [900, 1700]) {
      this.arena.open();
      this.arena.append(Buffer.from([i % 12 === 1 ? 0x65 : 0x41]));
      this.arena.append(Buffer.alloc(size, i));
      nalus.push(this.arena.close());
    }
    const claim = this.arena.claimShared()!;
    const release = () => {
      this.released.push(i);
      claim.release();
    };
    const f: VideoFrame = { kind: 'video', keyframe: i % 12 === 1, wallClockMs: 1_796_000_000_000 + i * 40, pts90k: i * 3600, nalus, lengthPrefixed: true, release };
    if (this.claimable) f.retain = claim.retain;
    this.emit('frame', f);
    return f;
  }
}

const intact = (f: VideoFrame) => f.nalus.every((n) => n.subarray(1).every((v) => v === (f.pts90k / 3600) % 256));

function hubOf(camera: SlabCamera): StreamHub {
  return new StreamHub({ sources: testSources(null), sourceUrl: async () => 'rtsp://127.0.0.1/cam', createSource: () => camera, lingerMs: 10 });
}

describe('the stream hub with a camera it opens', () => {
  it('gives each frame\'s slabs back once delivered, and keeps every byte the GOP and a keeping viewer hold', async () => {
    const camera = new SlabCamera(true);
    const hub = hubOf(camera);
    const seen: number[] = [];
    const sub = await hub.watch(1, { copiesFrames: true, onInfo: () => undefined, onFrame: (f) => void seen.push(f.pts90k / 3600) });
    await sub.feed.ready();
    for (let i = 1; i <= 120; i++) camera.picture(i);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, k) => k + 1));
    // Behind a copying viewer only the GOP holds slabs: about a GOP's worth taken, the rest written again.
    expect(camera.pool.stats.allocated).toBeLessThan(16);
    expect(camera.pool.stats.reused).toBeGreaterThan(40);
    // A viewer joining now is given the GOP since picture 109, every byte as the camera sent it.
    const late: VideoFrame[] = [];
    const keeper = await hub.watch(1, { onInfo: () => undefined, onFrame: (f) => void late.push(f) });
    expect(late.map((f) => f.pts90k / 3600)).toEqual(Array.from({ length: 12 }, (_, k) => 109 + k));
    expect(late.every(intact)).toBe(true);
    // It may keep them: nothing it holds is written over while the camera goes on.
    for (let i = 121; i <= 240; i++) camera.picture(i);
    expect(late.length).toBe(132);
    expect(late.every(intact)).toBe(true);
    keeper.close();
    sub.close();
    await hub.close();
  });

  it('does not give back a frame it keeps when its memory cannot be claimed, and gives back the rest', async () => {
    const camera = new SlabCamera(false);
    const hub = hubOf(camera);
    const sub = await hub.watch(1, { copiesFrames: true, onInfo: () => undefined, onFrame: () => undefined });
    await sub.feed.ready();
    // Pictures 2 to 12 come before any keyframe: nothing keeps them. From 13 on, the GOP does.
    for (let i = 2; i <= 30; i++) camera.picture(i);
    expect(camera.released).toEqual(Array.from({ length: 11 }, (_, k) => k + 2));
    const late: VideoFrame[] = [];
    const keeper = await hub.watch(1, { onInfo: () => undefined, onFrame: (f) => void late.push(f) });
    expect(late.map((f) => f.pts90k / 3600)).toEqual(Array.from({ length: 6 }, (_, k) => 25 + k));
    expect(late.every(intact)).toBe(true);
    keeper.close();
    sub.close();
    await hub.close();
  });
});
