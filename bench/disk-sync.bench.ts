// npx tsx bench/disk-sync.bench.ts [--files 300] [--kb 376] [--seconds 8] [--modes dsync:16:1,…]
// The disk's own rate for the recorder's write patterns, without the recorder: `--files` cameras,
// each appending fragments of `--kb` KiB (a 1 s GOP at 3 Mbit/s is ~376 KiB) to its own file in
// order, as fast as the pattern lets them, from a fixed number of aligned buffers (the recorder's
// pool: 16). Patterns (see `measure`): a durable write per fragment holding its buffer (`dsync`),
// a write then one fdatasync per camera for its fragments (`split`, ×2: two fragments a sync),
// and, for comparison, buffered writes never synced (`cache`: what ffmpeg per camera does, not
// durable), and `dd oflag=direct,dsync` (one file, one write at a time). Buffered then synced
// (`buf`): each fragment written through the page cache (the buffer free at once), then one
// fdatasync per camera for its fragments, at most `buffers` syncs in flight across all cameras
// (the cap keeps libuv's threads free for the writes). `bufall`: the same writes, synced across
// cameras in rounds: every camera with unsynced fragments gets one fdatasync a round, all of a
// round in flight together (the cap again), so the journal commits one transaction for many.
// Each pattern in a child
// process with libuv's pool at 64, as the recorder runs. Prints a table; last line one JSON object.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg, tmpdir } from 'node:os';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '300' },
    kb: { type: 'string', default: '376' },
    seconds: { type: 'string', default: '8' },
    /** mode:buffers:fragments-per-sync, comma-separated. */
    modes: { type: 'string', default: 'dsync:16:1,split:16:1,split:16:2,buf:16:1,buf:16:2,bufall:16:1,cache:16:1' },
    dir: { type: 'string' },
    child: { type: 'string' },
  },
});
const FILES = Number(values.files);
const KB = Number(values.kb);
const SECONDS = Number(values.seconds);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Result { mode: string; inflight: number; writes: number; mbPerS: number; writesPerS: number; p50Ms: number; p99Ms: number; load: string }

/**
 * One measurement in this process. `dsync`: each write O_DIRECT | O_DSYNC, holding one of
 * `buffers` aligned buffers until durable (the recorder before wave 11). `split`: the buffer held
 * only for an O_DIRECT write, then one fdatasync per camera for the `group` fragments it wrote
 * (the recorder now; group 2 is a camera one fragment behind). `cache`: buffered, never synced.
 */
async function measure(mode: string, buffers: number, group: number, dir: string): Promise<Result> {
  if (mode === 'buf' || mode === 'bufall') return measureBuffered(mode, buffers, group, dir);
  const direct = mode !== 'cache';
  const size = Math.ceil((KB * 1024) / 4096) * 4096;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (direct ? constants.O_DIRECT : 0) | (mode === 'dsync' ? constants.O_DSYNC : 0);
  const fhs: FileHandle[] = [];
  for (let i = 0; i < FILES; i++) fhs.push(await open(join(dir, `${mode}-${buffers}-${i}.mp4`), flags, 0o640));
  // Aligned buffers: found as the recorder finds them (an EINVAL until aligned).
  const free: Buffer[] = [];
  for (let i = 0; i < buffers; i++) {
    const raw = Buffer.allocUnsafeSlow(size + 4096).fill(7);
    let found: Buffer | undefined;
    for (let s = 0; s < 4096 && !found; s += 16) {
      if (!direct) found = raw.subarray(0, size);
      else await fhs[0]!.write(raw, s, 4096, 0).then(() => (found = raw.subarray(s, s + size)), () => undefined);
    }
    free.push(found!);
  }
  const waiting: ((b: Buffer) => void)[] = [];
  const acquire = () => (free.length ? Promise.resolve(free.pop()!) : new Promise<Buffer>((r) => waiting.push(r)));
  const release = (b: Buffer) => (waiting.length ? waiting.shift()!(b) : free.push(b));
  const lat: number[] = [];
  let writes = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  // Every camera at once, each its own fragments in order: as fast as the pattern lets them go.
  await Promise.all(fhs.map(async (fh) => {
    let offset = 0;
    while (performance.now() < end) {
      const t = performance.now();
      for (let k = 0; k < group; k++) {
        const buf = await acquire();
        try {
          await fh.write(buf, 0, size, offset);
        } finally {
          release(buf);
        }
        offset += size;
      }
      if (mode === 'split') await fh.datasync();
      lat.push(performance.now() - t);
      writes += group;
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(fhs.map((fh) => fh.close()));
  lat.sort((a, b) => a - b);
  const q = (p: number) => Number((lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0).toFixed(1));
  return { mode: group > 1 ? `${mode}×${group}` : mode, inflight: buffers, writes, mbPerS: Number(((writes * size) / 2 ** 20 / elapsed).toFixed(1)), writesPerS: Number((writes / elapsed).toFixed(0)), p50Ms: q(0.5), p99Ms: q(0.99), load: load() };
}

/** A counting semaphore: at most `n` holders at once, the rest in order. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    else active++;
    try {
      return await f();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * Buffered writes, durable by fdatasync. Latency is from a camera's first write of a group to
 * the sync that covers it returning (what a fragment waits before it is indexed); the writer does
 * not wait for the sync before writing on, as the pictures are in the kernel once written.
 * `buf`: each camera syncs its own group, at most `cap` syncs in flight. `bufall`: one syncer
 * round after another, each round one fdatasync for every camera with unsynced bytes, `cap` at once.
 */
async function measureBuffered(mode: string, cap: number, group: number, dir: string): Promise<Result> {
  const size = Math.ceil((KB * 1024) / 4096) * 4096;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  const fhs: FileHandle[] = [];
  for (let i = 0; i < FILES; i++) fhs.push(await open(join(dir, `${mode}-${cap}-${i}.mp4`), flags, 0o640));
  const buf = Buffer.allocUnsafeSlow(size).fill(7);
  const limit = limiter(cap);
  const lat: number[] = [];
  let writes = 0;
  let durableBytes = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  // Per camera: written bytes, durable bytes, and when each unsynced write was made.
  const cams = fhs.map((fh) => ({ fh, written: 0, durable: 0, pending: [] as { end: number; at: number }[], syncing: false }));
  const synced = (c: (typeof cams)[number], upTo: number) => {
    const now = performance.now();
    while (c.pending[0] && c.pending[0].end <= upTo) lat.push(now - c.pending.shift()!.at);
    durableBytes += upTo - c.durable;
    c.durable = upTo;
  };
  const syncOne = async (c: (typeof cams)[number]) => {
    c.syncing = true;
    const upTo = c.written;
    await limit(() => c.fh.datasync());
    synced(c, upTo);
    c.syncing = false;
  };
  let writing = true;
  const syncer = mode === 'bufall'
    ? (async () => {
        while (writing || cams.some((c) => c.written > c.durable)) {
          const round = cams.filter((c) => c.written > c.durable);
          if (!round.length) await new Promise((r) => setTimeout(r, 5));
          else await Promise.all(round.map(syncOne));
        }
      })()
    : Promise.resolve();
  const syncs: Promise<void>[] = [];
  await Promise.all(cams.map(async (c) => {
    let n = 0;
    while (performance.now() < end) {
      c.pending.push({ end: c.written + size, at: performance.now() });
      await c.fh.write(buf, 0, size, c.written);
      c.written += size;
      writes++;
      // Its own sync once `group` fragments wait, one at a time a camera (the recorder's order).
      if (mode === 'buf' && ++n % group === 0 && !c.syncing) syncs.push(syncOne(c));
    }
    if (mode === 'buf' && c.written > c.durable) {
      while (c.syncing) await new Promise((r) => setTimeout(r, 1));
      syncs.push(syncOne(c));
    }
  }));
  writing = false;
  await syncer;
  await Promise.all(syncs);
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(fhs.map((fh) => fh.close()));
  lat.sort((a, b) => a - b);
  const q = (p: number) => Number((lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0).toFixed(1));
  // MB/s made durable over the whole time, the last syncs included: what the disk kept up with.
  return { mode: group > 1 ? `${mode}×${group}` : mode, inflight: cap, writes, mbPerS: Number((durableBytes / 2 ** 20 / elapsed).toFixed(1)), writesPerS: Number((writes / elapsed).toFixed(0)), p50Ms: q(0.5), p99Ms: q(0.99), load: load() };
}

if (values.child) {
  const [mode, buffers, group] = values.child.split(':');
  const dir = values.dir!;
  mkdirSync(dir, { recursive: true });
  console.log(JSON.stringify(await measure(mode!, Number(buffers), Number(group), dir)));
  process.exit(0);
}

const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'disk-sync-'));
const results: Result[] = [];
try {
  const runs = values.modes.split(',').map((m) => m.split(':') as [string, string, string]);
  for (const [mode, inflight, group] of runs) {
    const dir = join(root, `${mode}-${inflight}-${group}`);
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', `${mode}:${inflight}:${group}`, '--dir', dir, '--files', String(FILES), '--kb', String(KB), '--seconds', String(SECONDS)], {
        // As the recorder runs (bin/vigil.cjs).
        env: { ...process.env, UV_THREADPOOL_SIZE: '64' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let s = '';
      child.stdout.on('data', (d: Buffer) => (s += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`${mode}:${inflight} exited ${code}`))));
    });
    results.push(JSON.parse(out.trim().split('\n').pop()!) as Result);
    rmSync(dir, { recursive: true, force: true });
  }
  const ddFile = join(root, 'dd.bin');
  const dd = spawnSync('dd', ['if=/dev/zero', `of=${ddFile}`, `bs=${KB}k`, `count=${Math.max(50, Math.round(FILES))}`, 'oflag=direct,dsync'], { encoding: 'utf8' });
  const ddLine = (dd.stderr ?? '').trim().split('\n').pop() ?? '';
  console.log(`\n${FILES} files, ${KB} KiB a write, ${SECONDS} s each`);
  console.log(`${'mode'.padEnd(8)}${'bufs|syncs'.padStart(12)}${'MB/s'.padStart(9)}${'writes/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}   load`);
  for (const r of results) console.log(`${r.mode.padEnd(8)}${String(r.inflight).padStart(12)}${r.mbPerS.toFixed(1).padStart(9)}${String(r.writesPerS).padStart(10)}${r.p50Ms.toFixed(1).padStart(9)}${r.p99Ms.toFixed(1).padStart(9)}   ${r.load}`);
  console.log(`dd oflag=direct,dsync bs=${KB}k (one write at a time): ${ddLine}`);
  console.log(JSON.stringify({ files: FILES, kb: KB, results, dd: ddLine }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
