// One recording file being written: created exclusively, the init segment written and fsynced,
// then fragments appended, each followed by an fsync of the file before anyone is told where it
// is. The SHA-256 of each fragment is computed from the very buffers written.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { SegmentStore } from './segment-store/segment-store.js';

export interface WrittenFragment {
  byteOffset: number;
  size: number;
  sha256: string;
}

export class RecordingFile {
  private constructor(
    readonly path: string,
    private fh: FileHandle | undefined,
    private offset: number,
  ) {}

  /** Creates the file and makes `init` durable in it (file and directory fsynced). */
  static async create(store: SegmentStore, path: string, init: Buffer): Promise<RecordingFile> {
    const fh = await store.create(path);
    try {
      await writeAll(fh, [init], 0);
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
    return new RecordingFile(path, fh, init.length);
  }

  /** Bytes durable in the file so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Appends one fragment (its buffers in order) and fsyncs; resolves once it is on disk. */
  async append(chunks: readonly Buffer[]): Promise<WrittenFragment> {
    const fh = this.fh;
    if (!fh) throw new Error(`${this.path} is closed`);
    const hash = createHash('sha256');
    let size = 0;
    for (const c of chunks) {
      hash.update(c);
      size += c.length;
    }
    const byteOffset = this.offset;
    // The file is open with O_DSYNC (SegmentStore.create): writev returns once the fragment and
    // the file's new length are on disk, as writev + fdatasync would, in one system call.
    await writeAll(fh, chunks, byteOffset);
    this.offset += size;
    return { byteOffset, size, sha256: hash.digest('hex') };
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
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
