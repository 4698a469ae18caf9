// A picture of a camera's recording at an instant, for the event list's thumbnails: the keyframe
// fragment nearest the instant decoded by one short ffmpeg call (frame-grab.ts), the JPEG kept in
// a cache bounded by bytes, so a page shown again costs no decoding. Two grabs at a time at most
// (a page of fifty events must not start fifty decoders on a busy machine), one per fragment.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndexedFragment, RecordingIndex } from '../db/recording-index.repository.js';
import { readExactly, type FootageReader } from '../storage/footage-reader.js';
import { grabFromRecording } from './frame-grab.js';

export interface RecordedFrameSettings {
  /** Where the decoder writes its JPEG before it is read into the cache. */
  dataDir: string;
  /** Bytes of JPEG kept; the least recently shown go first. */
  cacheBytes: number;
  grabTimeoutMs: number;
  /** At most this many decoders at once. */
  concurrency: number;
}

/** A keyframe this close before the instant shows it; otherwise the first one after it (a camera that just connected). */
const NEAR_MS = 5_000;
const AFTER_MS = 60_000;
const MAX_FRAGMENT = 32 << 20;

export class RecordedFrames {
  private readonly cache = new Map<number, Buffer>();
  private cachedBytes = 0;
  private readonly inFlight = new Map<number, Promise<Buffer | null>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly index: Pick<RecordingIndex, 'keyframeAtOrBefore' | 'keyframeAtOrAfter' | 'file'>,
    private readonly footage: FootageReader,
    private readonly settings: RecordedFrameSettings,
  ) {}

  /** The JPEG of the recording of `cameraId` at `at`; null when nothing is recorded near it. */
  async jpeg(cameraId: number, at: number): Promise<Buffer | null> {
    const fragment = await this.fragmentFor(cameraId, at);
    if (!fragment) return null;
    const hit = this.cache.get(fragment.id);
    if (hit) {
      // Map order is the recency order: shown again, it moves to the end.
      this.cache.delete(fragment.id);
      this.cache.set(fragment.id, hit);
      return hit;
    }
    let p = this.inFlight.get(fragment.id);
    if (!p) {
      p = this.limited(() => this.grab(fragment)).finally(() => this.inFlight.delete(fragment.id));
      this.inFlight.set(fragment.id, p);
    }
    return p;
  }

  /** Whether the recording has a picture at `at` (what `jpeg` would decode), without decoding it. */
  async has(cameraId: number, at: number): Promise<boolean> {
    return (await this.fragmentFor(cameraId, at)) !== undefined;
  }

  /** Bytes the cache holds now (for tests and metrics). */
  get bytes(): number {
    return this.cachedBytes;
  }

  private async fragmentFor(cameraId: number, at: number): Promise<IndexedFragment | undefined> {
    const before = await this.index.keyframeAtOrBefore(cameraId, at);
    if (before && at - before.endMs <= NEAR_MS) return before;
    return (await this.index.keyframeAtOrAfter(cameraId, at, AFTER_MS)) ?? (before && at - before.endMs <= AFTER_MS ? before : undefined);
  }

  private async grab(fragment: IndexedFragment): Promise<Buffer | null> {
    const file = await this.index.file(fragment.fileId);
    if (!file || fragment.size <= 0 || fragment.size > MAX_FRAGMENT || file.initSize <= 0 || file.initSize > MAX_FRAGMENT) return null;
    const fh = await this.footage.open(file.path);
    let chunks: Buffer[];
    try {
      const init = await readExactly(fh, Buffer.alloc(file.initSize), file.initSize, 0);
      const body = await readExactly(fh, Buffer.alloc(fragment.size), fragment.size, fragment.byteOffset);
      if (!init || !body) return null;
      chunks = [init, body];
    } finally {
      await fh.close();
    }
    const out = join(this.settings.dataDir, 'cache', 'frames', `${fragment.id}-${randomUUID()}.jpg`);
    try {
      await grabFromRecording(chunks, { frames: 1, snapshotPath: out, timeoutMs: this.settings.grabTimeoutMs });
      const jpeg = await readFile(out);
      this.keep(fragment.id, jpeg);
      return jpeg;
    } finally {
      await rm(out, { force: true });
    }
  }

  private keep(id: number, jpeg: Buffer): void {
    if (jpeg.length > this.settings.cacheBytes) return;
    this.cache.set(id, jpeg);
    this.cachedBytes += jpeg.length;
    for (const [oldest, b] of this.cache) {
      if (this.cachedBytes <= this.settings.cacheBytes) break;
      this.cache.delete(oldest);
      this.cachedBytes -= b.length;
    }
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    while (this.running >= this.settings.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
