import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFreePadding } from '../../media/fmp4/free-box.js';
import { scanFragments } from '../../media/fmp4/scan.js';
import { RecordingFile, type WrittenFragment } from '../recording-file.js';
import { AlignedBufferPool, DIRECT_BLOCK, roundUpToBlock, writeDirect } from './direct-io.js';
import { SegmentStore } from './segment-store.js';

const run = promisify(execFile);

/** A folder on the temp filesystem; direct writes are tested where it takes them (tmpfs did not before Linux 6.6). */
let dir: string;
let direct: boolean;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-direct-io-'));
  const pool = await AlignedBufferPool.forDirectory(dir);
  direct = pool !== null;
  await pool?.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aligned buffers for direct writes', () => {
  it('gives buffers the kernel takes for O_DIRECT writes, and leaves no probe file behind', async (ctx) => {
    if (!direct) ctx.skip();
    const pool = (await AlignedBufferPool.forDirectory(dir))!;
    expect(pool).not.toBeNull();
    expect((await readdir(dir)).filter((n) => n.startsWith('.direct-io-probe'))).toEqual([]);
    const fh = await open(join(dir, 'a.bin'), constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o600);
    try {
      const bufs = await Promise.all([pool.acquire(DIRECT_BLOCK), pool.acquire(3 << 20)]);
      expect(bufs[1]!.length).toBeGreaterThanOrEqual(3 << 20);
      bufs[0]!.fill(0x41, 0, DIRECT_BLOCK);
      bufs[1]!.fill(0x42, 0, 2 * DIRECT_BLOCK);
      // Each would fail with EINVAL if its memory were not aligned.
      await writeDirect(fh, bufs[0]!, DIRECT_BLOCK, 0);
      await writeDirect(fh, bufs[1]!, 2 * DIRECT_BLOCK, DIRECT_BLOCK);
      for (const b of bufs) pool.release(b);
    } finally {
      await fh.close();
      await pool.close();
    }
    const bytes = await readFile(join(dir, 'a.bin'));
    expect(bytes.length).toBe(3 * DIRECT_BLOCK);
    expect(bytes.subarray(0, DIRECT_BLOCK).every((b) => b === 0x41)).toBe(true);
    expect(bytes.subarray(DIRECT_BLOCK).every((b) => b === 0x42)).toBe(true);
  });

  it('holds no more than its capacity: writers beyond it wait, in order, and reuse the buffers', async (ctx) => {
    if (!direct) ctx.skip();
    const pool = (await AlignedBufferPool.forDirectory(dir, 2 << 20))!;
    try {
      const a = await pool.acquire(DIRECT_BLOCK);
      const b = await pool.acquire(DIRECT_BLOCK);
      const order: string[] = [];
      const c = pool.acquire(DIRECT_BLOCK).then((x) => (order.push('c'), x));
      const d = pool.acquire(DIRECT_BLOCK).then((x) => (order.push('d'), x));
      await new Promise((r) => setTimeout(r, 20));
      expect(order).toEqual([]);
      pool.release(b);
      expect(await c).toBe(b);
      pool.release(a);
      expect(await d).toBe(a);
      expect(order).toEqual(['c', 'd']);
      // Bigger than the whole pool: a buffer of its own, at once.
      const big = await pool.acquire(3 << 20);
      expect(big.length).toBeGreaterThanOrEqual(3 << 20);
    } finally {
      await pool.close();
    }
  });

  it('is not used when turned off: files are written through the page cache, with no padding', async () => {
    const store = new SegmentStore(dir, { directIo: false });
    expect(await store.directBuffers()).toBeNull();
    const file = await RecordingFile.create(store, 'recordings/1/2026-01-01/1-1.mp4', Buffer.from('init'));
    let copied = 0;
    const w = await file.append([Buffer.from('abc'), Buffer.from('de')], () => copied++);
    await file.sync();
    await file.close();
    expect(w).toMatchObject({ byteOffset: 4, size: 5 });
    // Written from the chunks themselves: handed back once the write is done.
    expect(copied).toBe(1);
    expect((await readFile(join(dir, 'recordings/1/2026-01-01/1-1.mp4'))).toString()).toBe('initabcde');
  });

  it('ends a file at its last synced fragment: one appended but never synced is cut off at close', async () => {
    for (const directIo of [false, ...(direct ? [true] : [])]) {
      const store = new SegmentStore(dir, { directIo });
      const path = `recordings/2/2026-01-01/2-${directIo ? 'direct' : 'cached'}.mp4`;
      const file = await RecordingFile.create(store, path, Buffer.from('init'));
      const a = await file.append([Buffer.from('aaaa')]);
      const b = await file.append([Buffer.from('bb')]);
      await file.sync();
      expect(file.dataEnd).toBe(b.byteOffset + b.size);
      // Written, not synced (a write or sync that failed): never durable, so never in the file.
      await file.append([Buffer.from('cccccc')]);
      expect(file.bytes, 'durable bytes: up to the last sync').toBe(directIo ? b.byteOffset + roundUpToBlock(2 + 8) : b.byteOffset + b.size);
      await file.close();
      await store.close();
      const out = await readFile(join(dir, path));
      expect(out.length).toBe(b.byteOffset + b.size);
      expect(file.dataEnd).toBe(out.length);
      expect(out.subarray(a.byteOffset, a.byteOffset + a.size).toString()).toBe('aaaa');
      expect(out.subarray(b.byteOffset).toString()).toBe('bb');
    }
  });
});

describe('a recording file written with direct I/O', () => {
  it('keeps each piece on a block boundary with free boxes between, which the scanner and ffprobe skip', async (ctx) => {
    if (!direct) ctx.skip();
    const store = new SegmentStore(dir);
    const path = 'recordings/7/2026-01-01/7-1.mp4';
    // A real fragmented MP4 from ffmpeg (a peer), cut into its init segment and fragments.
    const src = join(dir, 'src.mp4');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '3', '-c:v', 'libx264', '-g', '25',
      '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', src]);
    const bytes = await readFile(src);
    const scan = await scanFragments(bytes);
    expect(scan.fragments.length).toBeGreaterThanOrEqual(3);
    const init = bytes.subarray(0, scan.init!.length);
    const file = await RecordingFile.create(store, path, init);
    const written: WrittenFragment[] = [];
    const events: string[] = [];
    for (const [i, f] of scan.fragments.entries()) {
      // A copy the test may spoil: the network slabs a fragment lies in are reused once it is copied.
      const frag = Buffer.from(bytes.subarray(f.offset, f.offset + f.length));
      // Several buffers, as the muxer hands them over.
      const appended = file.append([frag.subarray(0, 100), frag.subarray(100, 1000), frag.subarray(1000)], () => {
        events.push(`copied ${i}`);
        frag.fill(0xee);
      });
      written.push(await appended);
      events.push(`written ${i}`);
    }
    // Each fragment's memory was handed back once, before its write finished.
    expect(events).toEqual(scan.fragments.flatMap((_, i) => [`copied ${i}`, `written ${i}`]));
    // One sync makes every fragment appended so far durable.
    await file.sync();
    await file.close();
    await store.close();

    const out = await readFile(join(dir, path));
    // Closed, the file ends with its last fragment: the padding after it is cut off.
    const last = written.at(-1)!;
    expect(out.length).toBe(last.byteOffset + last.size);
    expect(file.dataEnd).toBe(out.length);
    expect(written[0]!.byteOffset).toBe(roundUpToBlock(init.length + 8));
    expect(isFreePadding(out.subarray(init.length, written[0]!.byteOffset))).toBe(true);
    written.forEach((w, i) => {
      const f = scan.fragments[i]!;
      expect(w.byteOffset % DIRECT_BLOCK).toBe(0);
      expect(w.size).toBe(f.length);
      expect(out.subarray(w.byteOffset, w.byteOffset + w.size).equals(bytes.subarray(f.offset, f.offset + f.length))).toBe(true);
      // Between it and the next, one free box.
      if (i < written.length - 1) expect(isFreePadding(out.subarray(w.byteOffset + w.size, written[i + 1]!.byteOffset))).toBe(true);
    });
    const rescanned = await scanFragments(join(dir, path));
    expect(rescanned.tail).toBeUndefined();
    expect(rescanned.fragments.map((f) => [f.offset, f.length])).toEqual(written.map((w) => [w.byteOffset, w.size]));
    const probe = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(dir, path)]);
    expect(probe.stderr).toBe('');
    expect(Number(probe.stdout.trim())).toBe(75);
  });
});
