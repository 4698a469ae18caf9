// One recording file being written: created exclusively, the init segment written and fsynced,
// then fragments appended and made durable by `sync` (one fdatasync for every fragment appended
// since the last), before anyone is told where they are. The SHA-256 of each fragment is computed
// from the very bytes written.
//
// With direct I/O (see segment-store/direct-io.ts) each piece written — the init segment, then
// each fragment — is copied into one aligned buffer and followed by a `free` box (ISO/IEC
// 14496-12 §8.1.2, which every reader skips) up to the next block boundary, so the next piece
// starts aligned. The file stays a valid fragmented MP4 at every moment; fragments are indexed
// by their own byte ranges, and the padding belongs to no fragment.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FREE_BOX_MIN, writeFreeBox } from '../media/fmp4/free-box.js';
import { roundUpToBlock, writeDirect, type AlignedBufferPool } from './segment-store/direct-io.js';
import type { SegmentStore } from './segment-store/segment-store.js';
import type { SyncLimit } from './segment-store/sync-limit.js';

export interface WrittenFragment {
  byteOffset: number;
  size: number;
  sha256: string;
}

export class RecordingFile {
  private constructor(
    readonly path: string,
    private fh: FileHandle | undefined,
    private readonly direct: AlignedBufferPool | null,
    /** The recorder-wide cap on fdatasyncs in flight. */
    private readonly syncs: SyncLimit,
    private offset: number,
    private end: number,
    /** Bytes known durable (fsynced): the init segment, then up to the last `sync`. */
    private durable: number = offset,
    /** Where the last durable fragment (or the init segment) ends. */
    private durableEnd: number = end,
  ) {}

  /** Creates the file and makes `init` durable in it (file and directory fsynced). */
  static async create(store: SegmentStore, path: string, init: Buffer): Promise<RecordingFile> {
    const { fh, direct } = await store.create(path);
    try {
      const written = direct ? (await writePadded(fh, direct, [init], 0)).written : (await writeAll(fh, [init], 0), init.length);
      await store.syncs.run(() => fh.sync());
      return new RecordingFile(path, fh, direct, store.syncs, written, init.length);
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  /** Bytes durable in the file so far, with any padding after the last synced fragment. */
  get bytes(): number {
    return this.durable;
  }

  /**
   * Makes every fragment appended so far durable: one fdatasync (data and the file's length) for
   * all of them. A fragment is durable only once a sync begun after its append has returned.
   * Appends may go on while it runs; those are left for the next sync. Waits its turn under the
   * recorder's cap on syncs in flight.
   */
  async sync(): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new Error(`${this.path} is closed`);
    await this.syncs.run(async () => {
      // What was appended by the time the sync starts is what it makes durable.
      const upTo = this.offset;
      const end = this.end;
      if (upTo <= this.durable) return;
      await fh.datasync();
      if (upTo > this.durable) {
        this.durable = upTo;
        this.durableEnd = end;
      }
    });
  }

  /**
   * Where the last fragment appended (or the init segment) ends: what the index records as the
   * file's length once it is synced.
   */
  get dataEnd(): number {
    return this.end;
  }

  /**
   * Appends one fragment (its buffers in order); resolves once it is written, not yet durable:
   * call `sync` before telling anyone where it is. `copied` is called
   * once nothing reads `chunks` any more: with direct I/O as soon as they are copied into the
   * aligned buffer (their memory may be reused while the disk writes), else when written.
   */
  async append(chunks: readonly Buffer[], copied?: () => void): Promise<WrittenFragment> {
    const fh = this.fh;
    if (!fh) throw new Error(`${this.path} is closed`);
    const byteOffset = this.offset;
    if (this.direct) {
      const { size, written, sha256 } = await writePadded(fh, this.direct, chunks, byteOffset, copied);
      this.offset += written;
      this.end = byteOffset + size;
      return { byteOffset, size, sha256 };
    }
    const hash = createHash('sha256');
    let size = 0;
    for (const c of chunks) {
      hash.update(c);
      size += c.length;
    }
    await writeAll(fh, chunks, byteOffset);
    copied?.();
    this.offset += size;
    this.end = this.offset;
    return { byteOffset, size, sha256: hash.digest('hex') };
  }

  /**
   * Takes the last append back: the file is cut where that fragment began, as it was before it.
   * For a fragment that finished writing after its camera's lease may have run out (issue 22).
   */
  async undo(written: WrittenFragment, previousEnd: number): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new Error(`${this.path} is closed`);
    await fh.truncate(written.byteOffset);
    await fh.datasync();
    this.offset = written.byteOffset;
    this.durable = Math.min(this.durable, this.offset);
    this.end = previousEnd;
    this.durableEnd = Math.min(this.durableEnd, previousEnd);
  }

  /**
   * Closes the file, without the padding after its last fragment: a closed file ends with it.
   * Fragments appended but never synced (a write or sync that failed) are cut off with it: the
   * file ends with its last durable fragment.
   */
  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return;
    if (this.offset > this.durable) this.end = this.durableEnd;
    if (this.offset > this.end) {
      // If this fails the padding stays: a free box, which readers skip.
      await fh.truncate(this.end).then(() => (this.offset = this.end), () => undefined);
    }
    await fh.close();
  }
}

/**
 * Direct I/O: `chunks` copied into one aligned buffer, a `free` box to the next block boundary,
 * one write at `position` (aligned). Returns the chunks' size, the bytes written with the
 * padding, and the SHA-256 of the chunks' bytes as written.
 */
async function writePadded(fh: FileHandle, pool: AlignedBufferPool, chunks: readonly Buffer[], position: number, copied?: () => void): Promise<{ size: number; written: number; sha256: string }> {
  let size = 0;
  for (const c of chunks) size += c.length;
  const written = roundUpToBlock(size + FREE_BOX_MIN);
  const buf = await pool.acquire(written);
  try {
    let at = 0;
    for (const c of chunks) at += c.copy(buf, at);
    // The fragment's own memory (the network slabs) is free for the next pictures from here.
    copied?.();
    writeFreeBox(buf, size, written - size);
    const sha256 = createHash('sha256').update(buf.subarray(0, size)).digest('hex');
    await writeDirect(fh, buf, written, position);
    return { size, written, sha256 };
  } finally {
    pool.release(buf);
  }
}

// writev may write less than asked (large fragments, signals); continue where it stopped.
async function writeAll(fh: FileHandle, chunks: readonly Buffer[], position: number): Promise<void> {
  let rest = chunks.filter((c) => c.length > 0);
  let pos = position;
  while (rest.length) {
    const { bytesWritten } = await fh.writev(rest, pos);
    pos += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const c of rest) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      next.push(skip > 0 ? c.subarray(skip) : c);
      skip = 0;
    }
    rest = next;
  }
}
