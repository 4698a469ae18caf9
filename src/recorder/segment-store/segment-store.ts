// Creates, lists and trims recording files under dataDir. Creation is exclusive (a name is never
// reused) and the directory entry is made durable with an fsync of each directory it touched,
// so a file the index names survives power loss (the Moonfire NVR order).
import { constants } from 'node:fs';
import { mkdir, open, readdir, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { AlignedBufferPool } from './direct-io.js';
import { SyncLimit } from './sync-limit.js';
import { RECORDINGS_DIR, parseSegmentPath, segmentPath, utcDate, type SegmentName } from './segment-names.js';

export interface StoredSegment extends SegmentName {
  /** Relative to dataDir. */
  path: string;
}

export interface SegmentStoreOptions {
  /**
   * Write recording files with direct I/O where the filesystem allows it (default): see
   * direct-io.ts. Off, or where refused, they are written through the page cache.
   */
  directIo?: boolean;
  /** fdatasyncs in flight at once for every file of this store (default DEFAULT_SYNCS_IN_FLIGHT). */
  syncsInFlight?: number;
}

/** A file created for writing, and the buffers to write it with when it is open for direct I/O. */
export interface CreatedFile {
  fh: FileHandle;
  direct: AlignedBufferPool | null;
}

export class SegmentStore {
  /** Directories already known durable, so a file creation fsyncs one directory, not four. */
  private readonly durableDirs = new Set<string>();
  private direct: Promise<AlignedBufferPool | null> | undefined;
  /** The cap on fdatasyncs in flight that every file written through this store shares. */
  readonly syncs: SyncLimit;

  constructor(
    readonly dataDir: string,
    private readonly options: SegmentStoreOptions = {},
  ) {
    this.syncs = new SyncLimit(options.syncsInFlight);
  }

  absolute(relPath: string): string {
    return join(this.dataDir, ...relPath.split('/'));
  }

  pathFor(cameraId: number, startMs: number): string {
    return segmentPath(cameraId, startMs);
  }

  /** Opens a new file for writing; fails with EEXIST rather than touch an existing one. */
  async create(relPath: string): Promise<CreatedFile> {
    const abs = this.absolute(relPath);
    const dir = dirname(abs);
    await this.ensureDir(dir);
    const direct = await this.directBuffers();
    // No O_DSYNC: a write returns once written, and the writer makes its fragments durable with
    // one fdatasync for all those it appended since the last (RecordingFile.sync). A sync per write
    // held the write's aligned buffer (and the frames waiting for one) for the whole sync; at
    // 300 cameras the buffers, not the disk, were what the pictures waited for.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (direct ? constants.O_DIRECT : 0);
    const fh = await open(abs, flags, 0o640).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      // A folder removed behind our back (retention): forget what we knew and make it again.
      this.durableDirs.clear();
      await this.ensureDir(dir);
      return open(abs, flags, 0o640);
    });
    try {
      // Under the same cap as the fragments' syncs: a file roll at every camera at once is
      // hundreds of these, and each holds a libuv thread as long as a data sync does.
      await this.syncs.run(() => fsyncDir(dir));
    } catch (e) {
      await fh.close();
      throw e;
    }
    return { fh, direct };
  }

  /** The buffers for direct writes under this store, or null when they are off or refused. */
  directBuffers(): Promise<AlignedBufferPool | null> {
    if (this.options.directIo === false) return Promise.resolve(null);
    this.direct ??= (async () => {
      const dir = join(this.dataDir, RECORDINGS_DIR);
      await this.ensureDir(dir);
      return AlignedBufferPool.forDirectory(dir);
    })().catch((e: unknown) => {
      // A failure to probe (a full disk, say) is not an answer: ask again next time.
      this.direct = undefined;
      throw e;
    });
    return this.direct;
  }

  /** Releases the direct-write buffers (their probe file); the store can still be used after. */
  async close(): Promise<void> {
    const pool = this.direct;
    this.direct = undefined;
    await (await pool?.catch(() => null))?.close();
  }

  /** Cuts a file to `bytes` and makes the new length durable. */
  async truncate(relPath: string, bytes: number): Promise<void> {
    const abs = this.absolute(relPath);
    await truncate(abs, bytes);
    const fh = await open(abs, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async size(relPath: string): Promise<number | undefined> {
    try {
      return (await stat(this.absolute(relPath))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async remove(relPath: string): Promise<void> {
    const abs = this.absolute(relPath);
    await rm(abs, { force: true });
    await fsyncDir(dirname(abs)).catch(() => undefined);
  }

  /** Camera ids that have a folder. */
  async cameraIds(): Promise<number[]> {
    const names = await readdirOrEmpty(join(this.dataDir, RECORDINGS_DIR));
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  /** One camera's files on days (UTC) from `fromMs` on, oldest first; every day when absent. */
  async list(cameraId: number, fromMs?: number): Promise<StoredSegment[]> {
    const base = join(this.dataDir, RECORDINGS_DIR, String(cameraId));
    const fromDay = fromMs === undefined ? '' : utcDate(fromMs);
    const out: StoredSegment[] = [];
    for (const day of (await readdirOrEmpty(base)).sort()) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || day < fromDay) continue;
      for (const name of await readdirOrEmpty(join(base, day))) {
        const path = `${RECORDINGS_DIR}/${cameraId}/${day}/${name}`;
        const parsed = parseSegmentPath(path);
        if (parsed) out.push({ ...parsed, path });
      }
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.durableDirs.has(dir)) return;
    // Create missing parents one by one, fsyncing each parent whose entries changed.
    const root = join(this.dataDir);
    const chain: string[] = [];
    for (let d = dir; d.length > root.length && d.startsWith(root + sep); d = dirname(d)) chain.unshift(d);
    for (const d of chain) {
      if (this.durableDirs.has(d)) continue;
      const made = await mkdir(d).then(() => true, (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return false;
        throw e;
      });
      if (made) await fsyncDir(dirname(d));
      this.durableDirs.add(d);
    }
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export { segmentPath, parseSegmentPath, utcDate };
