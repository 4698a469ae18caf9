// Reads recording files wherever they are: on local disk (the write buffer, and the only place
// when no object store is configured) or, once uploaded and removed locally, in the object store
// by ranged GETs — never a whole download. Playback, export, the Merkle log and `vigil verify`
// read through this, so they need not know where a file lives. A file in neither place fails
// with code ENOENT, as a missing local file always did.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from './object-store.js';

export interface FootageHandle {
  readonly size: number;
  /** Where the bytes are read from: this node's disk, the object store, or another recorder node's disk. */
  readonly from: 'local' | 'object' | 'peer';
  /** Reads up to `length` bytes at `position` into `buf` at `offset`; returns how many. */
  read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface FootageReader {
  open(relPath: string): Promise<FootageHandle>;
}

export function absoluteFootagePath(dataDir: string, relPath: string): string {
  return join(dataDir, ...relPath.split('/'));
}

class LocalHandle implements FootageHandle {
  readonly from = 'local' as const;
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  async read(buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    return (await this.fh.read(buf, offset, length, position)).bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

class ObjectHandle implements FootageHandle {
  readonly from = 'object' as const;
  constructor(
    private readonly store: ObjectStore,
    private readonly key: string,
    private readonly versionId: string | null,
    readonly size: number,
  ) {}

  async read(buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    const n = Math.min(length, this.size - position);
    if (n <= 0) return 0;
    const got = await this.store.read(this.key, position, n, this.versionId);
    return got.copy(buf, offset);
  }

  async close(): Promise<void> {}
}

/**
 * Local disk first, then the object store (when one is configured), then `elsewhere`: in a cluster,
 * the recorder node whose disk holds a file not yet uploaded (src/cluster/peer-footage.ts).
 */
export class StoredFootage implements FootageReader {
  /** `local`: the data folder, or how a relative path becomes an absolute one. */
  constructor(
    local: string | ((relPath: string) => string),
    private readonly objects: ObjectStore | null = null,
    private readonly elsewhere: FootageReader | null = null,
    /** The object key of a file (its path unless the index says otherwise: keys carry the lease epoch). */
    private readonly keyOf: (relPath: string) => Promise<string> = async (p) => p,
  ) {
    this.absolute = typeof local === 'string' ? (p) => absoluteFootagePath(local, p) : local;
  }

  private readonly absolute: (relPath: string) => string;

  async open(relPath: string): Promise<FootageHandle> {
    try {
      const fh = await open(this.absolute(relPath), 'r');
      try {
        return new LocalHandle(fh, (await fh.stat()).size);
      } catch (e) {
        await fh.close();
        throw e;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || (!this.objects && !this.elsewhere)) throw e;
    }
    const key = this.objects ? await this.keyOf(relPath) : relPath;
    const info = this.objects ? await this.objects.head(key) : undefined;
    if (info) return new ObjectHandle(this.objects!, key, info.versionId, info.size);
    if (this.elsewhere) return this.elsewhere.open(relPath);
    throw Object.assign(new Error(`${relPath} is neither on local disk nor in ${this.objects!.where}`), { code: 'ENOENT' });
  }
}

/** Reads exactly `length` bytes at `position`, or null when the file ends first. */
export async function readExactly(h: FootageHandle, buf: Buffer, length: number, position: number): Promise<Buffer | null> {
  let got = 0;
  while (got < length) {
    const n = await h.read(buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf.subarray(0, length) : null;
}

/** The reader a component was given, or local disk by its absolute paths. */
export function footageOf(d: { footage?: FootageReader; absolute(relPath: string): string }): FootageReader {
  return d.footage ?? new StoredFootage((p) => d.absolute(p));
}
