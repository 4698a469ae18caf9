// Where a sample's keyframes come from. Preferably the recording index: the newest keyframe
// fragment, and one at least `frozenSpanMs` older from the same file, read from disk and decoded
// without touching the camera. When the recorder holds no fresh video of the camera (it is not
// recorded, or its session ended), one grab from the live source decides: a picture, or signal loss.
import { join } from 'node:path';
import type { WatchedCamera } from '../db/health.repository.js';
import type { KeyframeRef, RecordingIndex } from '../db/recording-index.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from 'pino';
import { SOURCE_UNAVAILABLE, SourceRefusedError } from '../ingest/errors.js';
import type { SourceGuard } from '../ingest/source-guard.js';
import { grabFromLive, grabFromRecording, type GrabResult } from './frame-grab.js';
import { readExactly, StoredFootage, type FootageReader } from '../storage/footage-reader.js';
import type { Picture } from './picture-metrics.js';

export interface SamplerSettings {
  dataDir: string;
  /** Where recording files are read (local disk, then the object store); local disk when absent. */
  footage?: FootageReader;
  /** Recorded video newer than this counts as the camera's current picture. */
  freshMs: number;
  /** Two keyframes at least this far apart make the frozen check of one sample. */
  frozenSpanMs: number;
  grabTimeoutMs: number;
  /** Largest fragment read from disk (a broken index must not make us read gigabytes). */
  maxFragmentBytes?: number;
}

export interface Sample {
  source: 'recording' | 'live' | 'none';
  pictures: Picture[];
  /** Relative to dataDir, forward slashes; null when no picture. */
  snapshot: string | null;
  lossReason?: string;
  elapsedMs: number;
}

const MAX_FRAGMENT = 32 << 20;

export class KeyframeSampler {
  constructor(
    private readonly index: Pick<RecordingIndex, 'latestKeyframes' | 'linkEvents'>,
    private readonly settings: SamplerSettings,
    private readonly clock: Clock,
    private readonly sources: SourceGuard,
    private readonly logger?: Logger,
  ) {}

  async sample(camera: WatchedCamera): Promise<Sample> {
    const now = this.clock.now();
    const snapshot = `snapshots/${camera.id}/${now}.jpg`;
    const snapshotAbs = join(this.settings.dataDir, ...snapshot.split('/'));
    const started = Date.now();
    let why = 'not recorded';
    const keys = await this.index.latestKeyframes(camera.id, 12);
    const newest = keys[0];
    if (newest) {
      const age = now - newest.endMs;
      const link = (await this.index.linkEvents([camera.id], newest.startMs, now + 1)).events.at(-1);
      if (link?.kind === 'disconnected') why = `recorder lost the camera ${Math.round((now - link.atMs) / 1000)} s ago`;
      else if (age > this.settings.freshMs) why = `no recorded video for ${Math.round(age / 1000)} s`;
      else {
        const earlier = keys.find((k) => k.fileId === newest.fileId && newest.startMs - k.startMs >= this.settings.frozenSpanMs);
        try {
          const chunks = await this.read(newest, earlier);
          const r = await grabFromRecording(chunks, { frames: earlier ? 2 : 1, snapshotPath: snapshotAbs, timeoutMs: this.settings.grabTimeoutMs });
          return this.done('recording', r, snapshot, started);
        } catch (e) {
          why = `recorded video unreadable: ${(e as Error).message}`;
        }
      }
    }
    if (camera.sourceUrl) {
      try {
        const r = await grabFromLive(camera.sourceUrl, { frames: 2, snapshotPath: snapshotAbs, timeoutMs: this.settings.grabTimeoutMs }, this.sources);
        return this.done('live', r, snapshot, started);
      } catch (e) {
        // What answered, or what exists, is for the server's log: users learn only that it failed.
        this.logger?.debug({ err: e, cameraId: camera.id }, 'live grab failed');
        const reason = e instanceof SourceRefusedError ? e.message : SOURCE_UNAVAILABLE;
        return { source: 'none', pictures: [], snapshot: null, lossReason: `${why}; live source: ${reason}`, elapsedMs: Date.now() - started };
      }
    }
    return { source: 'none', pictures: [], snapshot: null, lossReason: `${why}; no source address`, elapsedMs: Date.now() - started };
  }

  private done(source: Sample['source'], r: GrabResult, snapshot: string, started: number): Sample {
    return { source, pictures: r.pictures, snapshot: r.snapshot ? snapshot : null, elapsedMs: Date.now() - started };
  }

  /** init segment + the older fragment (if any) + the newest, as they lie in the file. */
  private async read(newest: KeyframeRef, earlier: KeyframeRef | undefined): Promise<Buffer[]> {
    const max = this.settings.maxFragmentBytes ?? MAX_FRAGMENT;
    const parts = [{ offset: 0, size: newest.initSize }, ...(earlier ? [earlier] : []), newest].map((p) => ({ offset: 'byteOffset' in p ? p.byteOffset : p.offset, size: p.size }));
    if (parts.some((p) => p.size <= 0 || p.size > max)) throw new Error('fragment size out of bounds');
    // A camera's newest file may already be in the object store (closed, uploaded, gone locally).
    const fh = await (this.settings.footage ?? new StoredFootage(this.settings.dataDir)).open(newest.path);
    try {
      const out: Buffer[] = [];
      for (const p of parts) {
        const buf = await readExactly(fh, Buffer.alloc(p.size), p.size, p.offset);
        if (!buf) throw new Error('recording file shorter than its index');
        out.push(buf);
      }
      return out;
    } finally {
      await fh.close();
    }
  }
}
