// Kept-aside footage (recorder/fenced-footage.ts) goes to the object store like any closed
// recording file: from the disk of the node that kept it, with the lock its time earns (the end of
// the camera's longest applicable period; a legal hold where one of Vigil's holds covers it), under
// its own key (`fenced/…`, already unique by camera, epoch and file). Order per file, as for
// recordings: read and hash → (an object already there with this SHA-256 is adopted: a crash
// after the PUT) → one PUT with lock and hash → the row → the local copy removed (unless kept).
// A file whose bytes no longer hash to what was registered (or that is gone) is not uploaded: the
// refusal is recorded on its row and as an error event of its camera, once, so the change is
// evident on the camera's timeline and in its events; kept footage reaches the store as it was kept.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { FencedFootage, FencedFootageRepository } from '../db/fenced-footage.repository.js';
import type { RecordingRepository } from '../db/recording.repository.js';
import type { Clock } from '../domain/clock.js';
import type { ObjectStore } from '../storage/object-store.js';
import { objectLockFor, type LockInputs } from './object-retention.js';

export interface FencedUploadDeps {
  repo: FencedFootageRepository;
  /** Where a refusal becomes a camera event. */
  recordings: Pick<RecordingRepository, 'commit'>;
  /** This node: only its own kept files are on its disk. */
  nodeId: string;
  objects: ObjectStore;
  absolute(relPath: string): string;
  clock: Clock;
  logger: Logger;
  keepLocalCopy?: boolean;
}

export interface FencedUploadReport {
  uploaded: number;
  bytes: number;
  adopted: number;
  localRemoved: number;
}

/** Files read from the table a time; kept-aside footage is rare, so one pass takes them all. */
const BATCH = 100;

export class FencedFootageUploader {
  constructor(private readonly d: FencedUploadDeps) {}

  /** The camera ids with kept files waiting, so the caller reads only their policies. */
  async pending(): Promise<FencedFootage[]> {
    return this.d.repo.pendingUploads(this.d.nodeId, BATCH);
  }

  /** Uploads `pending` one after another; a store failure throws (the next pass resumes). */
  async upload(pending: FencedFootage[], locks: LockInputs): Promise<FencedUploadReport> {
    const report: FencedUploadReport = { uploaded: 0, bytes: 0, adopted: 0, localRemoved: 0 };
    for (const f of pending) {
      const body = await this.read(f);
      if (!body) continue;
      const lock = objectLockFor({ id: f.id, cameraId: f.cameraId, startedAt: f.startMs, endedAt: f.endMs }, locks.policies.get(f.cameraId), locks.marks, locks.holds);
      const existing = await this.d.objects.head(f.path);
      let stored: { versionId: string | null; retainUntil: number | null; legalHold: boolean };
      if (existing && existing.sha256 === f.sha256 && existing.size === body.length) {
        // Uploaded before a crash that came before the row: the same bytes; its lock made sure of.
        if (lock.retainUntil !== null && (existing.retainUntil ?? 0) < lock.retainUntil) await this.d.objects.extendRetention(f.path, existing.versionId, lock.retainUntil);
        if (lock.legalHold && !existing.legalHold) await this.d.objects.setLegalHold(f.path, existing.versionId, true);
        stored = { versionId: existing.versionId, retainUntil: Math.max(existing.retainUntil ?? 0, lock.retainUntil ?? 0) || null, legalHold: existing.legalHold || lock.legalHold };
        report.adopted++;
      } else {
        const { versionId } = await this.d.objects.put(f.path, body, {
          sha256: f.sha256, retainUntil: lock.retainUntil, legalHold: lock.legalHold,
          metadata: { camera: String(f.cameraId), started: new Date(f.startMs).toISOString(), ended: new Date(f.endMs).toISOString(), kept: 'fenced', epoch: String(f.epoch), node: f.nodeId },
        });
        stored = { versionId, retainUntil: lock.retainUntil, legalHold: lock.legalHold };
      }
      await this.d.repo.markStored(f.id, { objectKey: f.path, ...stored, uploadedAt: this.d.clock.now() });
      report.uploaded++;
      report.bytes += body.length;
      this.d.logger.info({ cameraId: f.cameraId, path: f.path, epoch: f.epoch, legalHold: stored.legalHold }, 'kept-aside footage stored in the object store');
    }
    report.localRemoved = await this.removeLocalCopies();
    return report;
  }

  /** Local copies of stored kept files go (unless kept); a crash before this is finished here. */
  async removeLocalCopies(): Promise<number> {
    if (this.d.keepLocalCopy) return 0;
    let n = 0;
    for (const f of await this.d.repo.storedWithLocalCopy(this.d.nodeId)) {
      await rm(this.d.absolute(f.path), { force: true });
      await this.d.repo.markLocalRemoved(f.id);
      n++;
    }
    return n;
  }

  private async read(f: FencedFootage): Promise<Buffer | null> {
    let body: Buffer;
    try {
      body = await readFile(this.d.absolute(f.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await this.refuse(f, 'its file is not on this node\'s disk');
      return null;
    }
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (sha256 !== f.sha256 || body.length !== f.bytes) {
      await this.refuse(f, `its file no longer matches what was kept (SHA-256 ${sha256}, ${body.length} bytes; kept ${f.sha256}, ${f.bytes} bytes)`);
      return null;
    }
    return body;
  }

  private async refuse(f: FencedFootage, why: string): Promise<void> {
    if (!(await this.d.repo.markUploadRefused(f.id, why))) return;
    await this.d.recordings.commit({
      fragments: [],
      fileProgress: [],
      events: [{ cameraId: f.cameraId, kind: 'error', startMs: f.startMs, endMs: f.endMs, detail: `FENCED NOT UPLOADED: kept-aside footage ${f.path} (node ${f.nodeId}, epoch ${f.epoch}): ${why}` }],
    });
    this.d.logger.error({ cameraId: f.cameraId, path: f.path, id: f.id }, `kept-aside footage not uploaded: ${why}`);
  }
}
