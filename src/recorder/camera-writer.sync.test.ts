// A camera's fragments are indexed only once a sync has made them durable; the fragments that come
// while a sync is slow are written at once (their pictures freed) and made durable together by the
// next sync (group commit), in order. The files are real; the only thing held back is the disk's answer to fdatasync.
import type { FileHandle } from 'node:fs/promises';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PsUnitFrames } from '../ingest/ps-unit-frames.js';
import type { VideoFrame } from '../ingest/source.js';
import type { CameraEvent, RecordingFragment } from '../db/recording.repository.js';
import { closeEncoder, liveEncoder, until } from '../../test/support/gb-sim.js';
import { freshDatabase } from '../../test/support/databases.js';
import { createRepositories } from '../db/repositories.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import { CameraWriter } from './camera-writer.js';
import type { IndexSink } from './index-writer.js';
import { SegmentStore, type CreatedFile } from './segment-store/segment-store.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(() => {
  closeEncoder();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A store whose files answer fdatasync only when the test lets them; each call is noted. */
class HeldSyncStore extends SegmentStore {
  readonly log: string[];
  private open = false;
  private waiting: (() => void)[] = [];
  constructor(dataDir: string, log: string[], directIo: boolean) {
    super(dataDir, { directIo });
    this.log = log;
  }
  override async create(relPath: string): Promise<CreatedFile> {
    const created = await super.create(relPath);
    const fh: FileHandle = created.fh;
    const datasync = fh.datasync.bind(fh);
    fh.datasync = async () => {
      this.log.push('sync asked');
      if (!this.open) await new Promise<void>((r) => this.waiting.push(r));
      await datasync();
      this.log.push('synced');
    };
    return created;
  }
  release(): void {
    this.open = true;
    for (const r of this.waiting.splice(0)) r();
  }
}

/** Five GOPs of one second from a real encoder: a fragment at each keyframe. */
async function feed(writer: CameraWriter): Promise<void> {
  const enc = await liveEncoder();
  const ps = new PsUnitFrames(() => Date.now());
  let n = 0;
  let info: PsUnitFrames['info'];
  const frames = 125;
  await new Promise<void>((resolve) => {
    const off = enc.subscribe((f) => {
      if ((n === 0 && !f.keyframe) || n >= frames) return;
      const r = ps.push({ codec: 'h264', pts: n * 3600, dts: n * 3600, keyframe: f.keyframe, nalus: f.nalus, extrapolated: false });
      n++;
      if (r.kind === 'frame') {
        if (ps.info !== info) writer.setInfo({ video: (info = ps.info)! });
        writer.video(r.frame as VideoFrame);
      }
      if (n >= frames) (off(), resolve());
    });
  });
}

/** The one recording file under `dir`. */
function onlyFile(dir: string): string {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mp4'));
  expect(files).toHaveLength(1);
  return join(dir, files[0]!);
}

describe('a camera writer', () => {
  // Through the page cache (the recorder's default) and with direct I/O where the filesystem takes it.
  it.each([false, true])('indexes a fragment only once synced, writes the fragments that come during a slow sync at once, and syncs them together, in order (direct I/O %s)', async (directIo) => {
    const db = await freshDatabase('sqlite');
    const repos = createRepositories(db);
    const [cameraId] = await seedRecordableCameras(repos, ['rtsp://127.0.0.1:1/none']);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-writer-sync-'));
    dirs.push(dir);
    const log: string[] = [];
    const store = new HeldSyncStore(dir, log, directIo);
    const rows: RecordingFragment[] = [];
    const index: IndexSink = {
      fragment: (f) => void (rows.push(f), log.push(`indexed ${f.seq}`)),
      event: (_: CameraEvent) => undefined,
      closeFile: () => void log.push('closed'),
    };
    const writer = new CameraWriter(cameraId!, { fileSeconds: 600, fragmentMaxMs: 1000 }, { store, repo: repos.recordings, index, logger });

    await feed(writer);
    await until('the first fragment waits for its sync', () => log.includes('sync asked'));
    // The fragments after it do not wait in memory for that sync: they are written (their
    // pictures freed) while it is held, and wait for a sync of their own, unindexed.
    await until('the later fragments written while the first sync is held', () => {
      const b = writer.backlog();
      return b.jobs === 0 && b.queuedBytes === 0 && !b.running && b.unsynced >= 2;
    });
    // Written, not yet durable: nothing indexed.
    expect(rows).toEqual([]);
    expect(log.filter((l) => l === 'sync asked')).toHaveLength(1);
    // The file ends: its last fragment is written too, and the close waits for the syncs.
    writer.endFile();
    await until('the last fragment written and the close waiting', () => {
      const b = writer.backlog();
      return b.jobs === 0 && b.queuedBytes === 0 && b.running;
    });
    expect(rows).toEqual([]);
    store.release();
    await writer.drained();
    await store.close();
    await db.close();

    // The first fragment alone, then every fragment queued behind its sync with one sync more.
    expect(log.filter((l) => l === 'sync asked')).toHaveLength(2);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(log).toEqual(['sync asked', 'synced', 'indexed 0', 'sync asked', 'synced', ...rows.slice(1).map((r) => `indexed ${r.seq}`), 'closed']);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    // Each fragment follows the one before it in the file.
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.byteOffset).toBeGreaterThanOrEqual(rows[i - 1]!.byteOffset + rows[i - 1]!.size);
  });

  it('takes back the fragments of a sync its lease lapsed during, and those written after them, without indexing any', async () => {
    const db = await freshDatabase('sqlite');
    const repos = createRepositories(db);
    const [cameraId] = await seedRecordableCameras(repos, ['rtsp://127.0.0.1:1/none']);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-writer-lapse-'));
    dirs.push(dir);
    const log: string[] = [];
    const store = new HeldSyncStore(dir, log, false);
    const rows: RecordingFragment[] = [];
    let closedAt: number | undefined;
    const index: IndexSink = {
      fragment: (f) => void rows.push(f),
      event: (_: CameraEvent) => undefined,
      closeFile: (_id, _end, bytes) => void (closedAt = bytes),
    };
    let valid = true;
    // Epoch 0: no lease rows to fence the file's creation against; only `valid` is judged here.
    const lease = { epoch: 0, nodeId: 'n1', valid: () => valid, fenced: () => undefined };
    const writer = new CameraWriter(cameraId!, { fileSeconds: 600, fragmentMaxMs: 1000 }, { store, repo: repos.recordings, index, logger, lease });
    await feed(writer);
    await until('fragments written behind the held first sync', () => {
      const b = writer.backlog();
      return log.includes('sync asked') && b.jobs === 0 && b.queuedBytes === 0 && !b.running && b.unsynced >= 2;
    });
    const path = onlyFile(dir);
    const initEnd = (await repos.recordings.openFiles()).find((f) => f.cameraId === cameraId)?.initSize;
    expect(initEnd).toBeGreaterThan(0);
    expect(statSync(path).size).toBeGreaterThan(initEnd!);
    // The process was paused past its lease while the disk synced.
    valid = false;
    store.release();
    writer.endFile();
    await writer.drained();
    await store.close();
    await db.close();
    expect(rows).toEqual([]);
    // Every frame written under the lapsed lease is counted lost, the file cut back to its init segment.
    expect(writer.framesDropped).toBeGreaterThanOrEqual(100);
    expect(closedAt).toBe(initEnd);
    expect(statSync(path).size).toBe(initEnd);
  });
});
