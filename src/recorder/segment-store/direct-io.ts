// Direct I/O for recording files (O_DIRECT): a fragment goes from one of our buffers to the disk
// without being copied into the kernel's page cache. Footage is written once and read rarely,
// so caching it only evicts what is worth caching; and at hundreds of cameras the copy into
// freshly allocated cache pages becomes the recorder's largest cost (most of all in a virtual
// machine, where every new page the guest touches is a fault in the host).
//
// The price is alignment: the kernel takes a direct write only from a buffer whose address is
// aligned for the device's DMA, at a file offset and of a length that are multiples of its
// block size. JavaScript cannot ask where a buffer lies in memory, so each buffer's aligned
// start is found once by trying direct writes from successive offsets into it (the kernel
// answers EINVAL until the address is aligned); offsets and lengths are kept at multiples of
// DIRECT_BLOCK, which suits 512-byte and 4096-byte-sector disks alike.
import { constants } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** File offsets and lengths of direct writes are multiples of this. */
export const DIRECT_BLOCK = 4096;
/** Buffers come in multiples of this size. */
const CLASS_BYTES = 1 << 20;
/** Most memory the pool holds (16 one-megabyte buffers: as many fragments written at once). */
const DEFAULT_CAPACITY_BYTES = 16 << 20;
/** Address alignments tried, in steps of 16 bytes (malloc's own alignment). */
const MAX_ADDRESS_ALIGN = 4096;

/** `n` rounded up to a multiple of DIRECT_BLOCK. */
export function roundUpToBlock(n: number): number {
  return Math.ceil(n / DIRECT_BLOCK) * DIRECT_BLOCK;
}

/**
 * Buffers whose memory is aligned for direct writes, reused between fragments. The pool never
 * holds more than `capacityBytes`: cameras fed by one encoder (or synchronised by their owner)
 * all end a GOP at the same instant, and a buffer apiece would be hundreds of megabytes
 * allocated and dropped every second. Writers beyond that wait their turn, in order.
 */
export class AlignedBufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: { bytes: number; resolve: (b: Buffer) => void; reject: (e: unknown) => void }[] = [];
  /** Bytes of every buffer this pool owns, free or lent. */
  private allocatedBytes = 0;
  /**
   * Where the last new buffer's aligned start was, tried first for the next: the allocator mostly
   * gives large buffers the same misalignment, and each try is a write through libuv's pool, one
   * after the other, slow under CPU starvation. Here the first buffer took 32 tries and the next
   * 15 took 14 in all (about 32 each before).
   */
  private lastStart = 0;
  /** Probe writes made to find aligned starts (one a buffer when the guess is right). */
  probes = 0;

  private constructor(
    private readonly probe: FileHandle,
    readonly capacityBytes: number,
  ) {}

  /**
   * A pool for files under `dir`, or null when its filesystem does not take direct writes
   * (tmpfs, some network and FUSE filesystems): those files are then written through the cache.
   */
  static async forDirectory(dir: string, capacityBytes = DEFAULT_CAPACITY_BYTES): Promise<AlignedBufferPool | null> {
    const path = join(dir, `.direct-io-probe-${process.pid}`);
    let fh: FileHandle;
    try {
      fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DIRECT, 0o600);
    } catch (e) {
      await rm(path, { force: true });
      if (refusesDirect(e)) return null;
      throw e;
    }
    // The probe file stays open (unlinked) to find each new buffer's alignment.
    await rm(path, { force: true });
    const pool = new AlignedBufferPool(fh, Math.max(capacityBytes, CLASS_BYTES));
    try {
      pool.release(await pool.acquire(CLASS_BYTES));
    } catch (e) {
      await fh.close();
      if (refusesDirect(e)) return null;
      throw e;
    }
    return pool;
  }

  /** A buffer of at least `bytes` (a multiple of DIRECT_BLOCK); give it back with release. */
  async acquire(bytes: number): Promise<Buffer> {
    const size = Math.ceil(bytes / CLASS_BYTES) * CLASS_BYTES;
    const now = this.take(size);
    if (now) return now;
    if (size > this.capacityBytes) {
      // Larger than the whole pool (a fragment of tens of megabytes): a buffer of its own.
      return this.allocate(size);
    }
    return new Promise<Buffer>((resolve, reject) => this.waiting.push({ bytes: size, resolve, reject }));
  }

  release(b: Buffer): void {
    if (b.length > this.capacityBytes) return; // its own buffer, never counted
    this.free.push(b);
    while (this.waiting.length) {
      const w = this.waiting[0]!;
      const got = this.take(w.bytes);
      if (!got) break;
      this.waiting.shift();
      // take() may have to allocate (asynchronously); hand over either way.
      got.then(w.resolve, w.reject);
    }
  }

  async close(): Promise<void> {
    this.free.length = 0;
    this.allocatedBytes = 0;
    for (const w of this.waiting.splice(0)) w.reject(new Error('direct-write buffers closed'));
    await this.probe.close();
  }

  /**
   * A free buffer that is big enough, or a new one if the pool has room (after dropping free
   * buffers that are too small, if that makes room), or undefined: wait.
   */
  private take(size: number): Promise<Buffer> | undefined {
    const i = this.free.findIndex((b) => b.length >= size);
    if (i >= 0) return Promise.resolve(this.free.splice(i, 1)[0]!);
    const freeBytes = this.free.reduce((n, b) => n + b.length, 0);
    if (this.allocatedBytes - freeBytes + size > this.capacityBytes) return undefined;
    while (this.allocatedBytes + size > this.capacityBytes && this.free.length) {
      this.allocatedBytes -= this.free.pop()!.length;
    }
    if (this.allocatedBytes + size > this.capacityBytes) return undefined;
    this.allocatedBytes += size;
    return this.allocate(size).catch((e: unknown) => {
      this.allocatedBytes -= size;
      throw e;
    });
  }

  private async allocate(bytes: number): Promise<Buffer> {
    // Not from Node's shared pool: its own memory, which the garbage collector never moves.
    const raw = Buffer.allocUnsafeSlow(bytes + MAX_ADDRESS_ALIGN);
    raw.fill(0, 0, MAX_ADDRESS_ALIGN + DIRECT_BLOCK);
    const guess = this.lastStart;
    for (let i = -1; i < MAX_ADDRESS_ALIGN / 16; i++) {
      const start = i < 0 ? guess : i * 16;
      if (i >= 0 && start === guess) continue;
      this.probes++;
      try {
        await this.probe.write(raw, start, DIRECT_BLOCK, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EINVAL') continue;
        throw e;
      }
      this.lastStart = start;
      return raw.subarray(start, start + bytes);
    }
    throw Object.assign(new Error('no aligned start found for a direct-write buffer'), { code: 'EINVAL' });
  }
}

function refusesDirect(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EINVAL' || code === 'EOPNOTSUPP' || code === 'ENOTSUP';
}

/**
 * Writes `buf[0, length)` at `position` of a file opened with O_DIRECT. A direct write may be cut
 * short only at a block boundary; continue from there.
 */
export async function writeDirect(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await fh.write(buf, done, length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`direct write of ${length - done} bytes at ${position + done} wrote nothing`);
    done += bytesWritten;
  }
}
