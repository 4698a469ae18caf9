// Writes footage downloaded from a camera's GB/T 28181 device (补录) into our recording, all or
// nothing. Frames go through the recorder's own CameraWriter (same files, fragments, SHA-256 of
// the very bytes written, fsync before anything is indexed), but its index rows are held here
// instead of being committed as they come: only when the whole download is in are the files
// closed and their fragments indexed, marked `device`, in one transaction that first checks no
// footage of ours lies in that time (`RecordingRepository.commitBackfill`). A download that fails,
// stops or is refused leaves nothing: its files are deleted with their rows. A crash in between
// leaves open files without fragments, which recovery deletes.
import type { Logger } from 'pino';
import type { CameraEvent, RecordingFragment, RecordingRepository } from '../db/recording.repository.js';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import { CameraWriter } from './camera-writer.js';
import type { IndexSink } from './index-writer.js';
import type { SegmentStore } from './segment-store/segment-store.js';

export interface BackfillResult {
  startMs: number;
  endMs: number;
  files: number;
  fragments: number;
  bytes: number;
}

export class BackfillWriter {
  private readonly writer: CameraWriter;
  private readonly fragments: RecordingFragment[] = [];
  private readonly files = new Map<number, { fileId: number; endedAt: number; bytes: number; closed: boolean }>();
  private readonly errors: string[] = [];
  private settled = false;

  constructor(
    readonly cameraId: number,
    private readonly deps: { store: SegmentStore; repo: RecordingRepository; logger: Logger },
    options: { fileSeconds: number; fragmentMaxMs: number },
  ) {
    const sink: IndexSink = {
      fragment: (f, fileBytes) => {
        this.fragments.push(f);
        const p = this.files.get(f.fileId);
        this.files.set(f.fileId, { fileId: f.fileId, endedAt: Math.max(f.endMs, p?.endedAt ?? 0), bytes: fileBytes, closed: false });
      },
      // Gaps and clock jumps inside a download are the device's: only a write error matters here.
      event: (e: CameraEvent) => {
        if (e.kind === 'error') this.errors.push(e.detail);
      },
      closeFile: (fileId, endedAt, bytes) => {
        const p = this.files.get(fileId);
        this.files.set(fileId, { fileId, endedAt: Math.max(endedAt, p?.endedAt ?? 0), bytes, closed: true });
      },
    };
    // A download comes faster than real time: room for a long queue, and any drop fails the whole backfill.
    this.writer = new CameraWriter(cameraId, { ...options, maxQueuedBytes: 256 << 20 }, { store: deps.store, repo: deps.repo, index: sink, logger: deps.logger, origin: 'device' });
  }

  setInfo(info: StreamInfo): void {
    if (!this.settled) this.writer.setInfo(info);
  }

  video(frame: VideoFrame): void {
    if (!this.settled) this.writer.video(frame);
  }

  /** The download is complete: its footage joins the recording, or (refused, failed) nothing of it stays. */
  async commit(): Promise<BackfillResult> {
    if (this.settled) throw new Error('this backfill is already settled');
    this.settled = true;
    this.writer.endFile();
    await this.writer.drained();
    try {
      if (this.errors.length) throw new Error(`writing the downloaded footage failed: ${this.errors[0]}`);
      if (this.writer.framesDropped) throw new Error(`${this.writer.framesDropped} downloaded pictures could not be written in time`);
      if (!this.fragments.length) throw new Error('the device sent no picture that could be recorded');
      const files = [...this.files.values()];
      await this.deps.repo.commitBackfill(this.cameraId, files, this.fragments);
      return {
        startMs: Math.min(...this.fragments.map((f) => f.startMs)),
        endMs: Math.max(...this.fragments.map((f) => f.endMs)),
        files: files.length,
        fragments: this.fragments.length,
        bytes: this.fragments.reduce((n, f) => n + f.size, 0),
      };
    } catch (e) {
      await this.removeFiles();
      throw e;
    }
  }

  /** Gives the download up: every file it wrote is deleted with its row. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.writer.endFile();
    await this.writer.drained();
    await this.removeFiles();
  }

  private async removeFiles(): Promise<void> {
    for (const fileId of this.files.keys()) {
      const file = await this.deps.repo.file(fileId);
      // Only our own open files: a committed backfill's files are footage now.
      if (!file || file.closed || file.origin !== 'device') continue;
      await this.deps.store.remove(file.path).catch((e: unknown) => this.deps.logger.warn({ err: e, path: file.path }, 'backfill file not removed; recovery removes it'));
      await this.deps.repo.deleteFile(fileId);
    }
  }
}
