// Applies the retention decision. Deletion goes through the garbage table (Moonfire NVR's order):
//   1. one transaction: the file joins retention_garbage, its index rows go, its leaves are
//      marked removed and the removal is registered (ranges, hashes) — all or nothing;
//   2. the file is unlinked and its folder fsynced;
//   3. the garbage row goes.
// A kill at any point leaves either an indexed file, or a garbage row naming a file that may or
// may not still exist; the next pass finishes step 2–3. No index row ever names a missing file.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditActor } from '../audit/entry.js';
import type { Clock } from '../domain/clock.js';
import type { Database } from '../db/schema.js';
import type { IndexedFile, RecordingIndex } from '../db/recording-index.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { Transaction } from 'kysely';
import type { FencedRetention } from './fenced-retention.js';
import { DAY_MS, decideRetention, overlaps, type CameraPolicy, type FileDecision, type RetentionDecision } from './retention-decision.js';

export const RETENTION_ACTOR: AuditActor = { userId: null, workId: null, name: 'platform (retention)' };

/** Removes a recording file by its path relative to dataDir (the recorder's segment store). */
export interface FileRemover {
  remove(relPath: string): Promise<void>;
}

export interface CleanerDeps {
  /** Holds and marks it obeys, the garbage table it deletes through, the index rows and leaves a removal touches. */
  repos: Pick<Repositories, 'legalHolds' | 'retentionMarks' | 'retentionGarbage' | 'integrityLog' | 'recordings'>;
  /** The recording index: which files a camera has, and their fragments. */
  index: RecordingIndex;
  audit: AuditLog;
  files: FileRemover;
  clock: Clock;
  logger: Logger;
  /** The periods of each camera (from its effective jurisdiction profile). */
  policies(cameraIds: number[]): Promise<Map<number, CameraPolicy>>;
  /**
   * The lock each file's object carries in the object store, when footage is stored there: a
   * file whose object is still retained or held is kept, whatever Vigil's own decision says.
   */
  objectLocks?(fileIds: number[]): Promise<Map<number, { retainUntil: number | null; legalHold: boolean }>>;
  /** Kept-aside footage, which goes by the same decision as recording files (fenced-retention.ts). */
  fenced?: FencedRetention;
}

export interface CleanerReport {
  examined: number;
  removedFiles: number;
  removedBytes: number;
  keptByHold: number;
  garbageCollected: number;
  /** Kept-aside files removed this pass. */
  fencedRemoved: number;
}

/** Files registered per register entry, so one entry's detail stays well under its 16 KiB. */
const FILES_PER_ENTRY = 40;

export class RetentionCleaner {
  constructor(private readonly d: CleanerDeps) {}

  /** Finishes deletions a crash interrupted: unlink what the garbage table names, then forget it. */
  async collectGarbage(): Promise<number> {
    const rows = await this.d.repos.retentionGarbage.garbage();
    const done: number[] = [];
    for (const g of rows) {
      // One file that cannot go yet (its object still locked) must not keep the others.
      try {
        await this.d.files.remove(g.path);
        done.push(g.id);
      } catch (e) {
        this.d.logger.warn({ err: e, path: g.path }, 'retention could not remove a file yet; retried on the next pass');
      }
    }
    await this.d.repos.retentionGarbage.removeGarbage(done);
    return done.length + ((await this.d.fenced?.finishUnfinished()) ?? 0);
  }

  /** What would be removed now, without removing anything. */
  async plan(): Promise<{ decision: RetentionDecision; files: Map<number, IndexedFile>; fenced: Awaited<ReturnType<FencedRetention['plan']>> }> {
    const now = this.d.clock.now();
    const fencedCameras = this.d.fenced ? await this.d.fenced.cameraIds() : [];
    const policies = await this.d.policies([...new Set([...(await this.d.index.cameraIdsWithFiles()), ...fencedCameras])]);
    const minima = [...policies.values()].flatMap((p) => (p.minimum ? [p.minimum.days] : []));
    if (minima.length === 0) return { decision: { remove: [], keep: [] }, files: new Map(), fenced: [] };
    // Nothing ends its shortest period before this, so older rows are all the cleaner reads.
    const endedBefore = now - Math.min(...minima) * DAY_MS;
    const candidates = await this.d.index.closedFilesEndedBefore(endedBefore);
    const [holds, marks] = await Promise.all([this.d.repos.legalHolds.holds(), this.d.repos.retentionMarks.marks()]);
    const range = (r: { camera_id: number; range_from: number | null; range_to: number | null }) => ({ cameraId: Number(r.camera_id), from: r.range_from, to: r.range_to });
    const policy = { cameras: policies, keyTargets: marks.filter((m) => m.kind === 'key_target').map(range), incidents: marks.filter((m) => m.kind === 'incident').map(range) };
    const holdRanges = holds.map((h) => ({ id: Number(h.id), ...range(h) }));
    const decision = decideRetention(candidates, policy, holdRanges, now);
    const fenced = this.d.fenced ? await this.d.fenced.plan(policy, holdRanges, endedBefore) : [];
    return { decision, files: new Map(candidates.map((f) => [f.id, f])), fenced };
  }

  async runOnce(): Promise<CleanerReport> {
    const garbageCollected = await this.collectGarbage();
    const { decision, files, fenced } = await this.plan();
    if (this.d.objectLocks && decision.remove.length) {
      const locks = await this.d.objectLocks(decision.remove.map((r) => r.fileId));
      const now = this.d.clock.now();
      decision.remove = decision.remove.filter((r) => {
        const l = locks.get(r.fileId);
        if (!l || (!l.legalHold && (l.retainUntil === null || l.retainUntil <= now))) return true;
        decision.keep.push({ ...r, reason: l.legalHold ? 'hold' : 'within-retention' });
        return false;
      });
    }
    const report: CleanerReport = { examined: files.size, removedFiles: 0, removedBytes: 0, keptByHold: decision.keep.filter((k) => k.reason === 'hold').length, garbageCollected, fencedRemoved: 0 };
    const byCamera = new Map<number, FileDecision[]>();
    for (const r of decision.remove) byCamera.set(r.cameraId, [...(byCamera.get(r.cameraId) ?? []), r]);
    for (const [cameraId, list] of byCamera) {
      for (let i = 0; i < list.length; i += FILES_PER_ENTRY) {
        const chunk = list.slice(i, i + FILES_PER_ENTRY);
        const moved = await this.remove(cameraId, chunk.map((c) => ({ file: files.get(c.fileId)!, decision: c })));
        report.removedFiles += moved.length;
        report.removedBytes += moved.reduce((s, m) => s + m.bytes, 0);
      }
    }
    if (fenced.length) report.fencedRemoved = await this.d.fenced!.remove(fenced);
    if (report.removedFiles || report.fencedRemoved) this.d.logger.info(report, 'retention removed footage past its period');
    return report;
  }

  private async remove(cameraId: number, items: { file: IndexedFile; decision: FileDecision }[]): Promise<IndexedFile[]> {
    const now = this.d.clock.now();
    // What each file held, for the register: its fragments' hashes and where they sit in the log.
    const summaries = new Map<number, Record<string, unknown>>();
    for (const { file, decision } of items) {
      const frags = await this.d.index.fileFragments(file.id);
      const leaves = await this.d.repos.integrityLog.leavesOfFile(file.id);
      const h = createHash('sha256');
      for (const f of frags) h.update(Buffer.from(f.sha256, 'hex'));
      summaries.set(file.id, {
        path: file.path,
        from: file.startedAt,
        to: file.endedAt,
        bytes: file.bytes,
        fragments: frags.length,
        fragmentHashesSha256: h.digest('hex'),
        leaves: leaves.length ? [leaves[0]!.leafIndex, leaves[leaves.length - 1]!.leafIndex] : null,
        period: decision.period ? `${decision.period.days} days (${decision.period.article})` : null,
      });
    }
    const moved = await this.d.audit.transaction(async (trx) => {
      // Take the register's lock first: a hold being placed commits before this reads, or after it.
      await this.d.audit.repo.reserve(trx, 0);
      const holds = await this.d.repos.legalHolds.heldRanges(trx, cameraId);
      const free = items.map((i) => i.file).filter((f) => !holds.some((h) => overlaps(h, f.startedAt, f.endedAt)));
      const rows = await this.moveToGarbage(trx, free, now);
      if (rows.length === 0) return [];
      const done = free.filter((f) => rows.some((r) => r.fileId === f.id));
      const periods = [...new Set(items.filter((i) => done.includes(i.file)).map((i) => i.decision.period).filter((p) => p).map((p) => `${p!.days} days (${p!.article})`))];
      await this.d.audit.append(trx, {
        action: 'retention_delete',
        actors: [RETENTION_ACTOR],
        cameraIds: [cameraId],
        from: Math.min(...done.map((f) => f.startedAt)),
        to: Math.max(...done.map((f) => f.endedAt)),
        outcome: 'success',
        reason: `past the retention period: ${periods.join(', ')}`,
        detail: { files: done.map((f) => summaries.get(f.id)!) },
      });
      return rows;
    });
    const gone: number[] = [];
    for (const g of moved) {
      try {
        await this.d.files.remove(g.path);
        gone.push(g.id);
      } catch (e) {
        // The garbage row stays: collectGarbage finishes it on a later pass.
        this.d.logger.warn({ err: e, path: g.path }, 'retention could not remove a file yet; retried on the next pass');
      }
    }
    await this.d.repos.retentionGarbage.removeGarbage(gone);
    const ids = new Set(moved.map((m) => m.fileId));
    return items.map((i) => i.file).filter((f) => ids.has(f.id));
  }

  /**
   * Step 1 for each file still closed and unchanged, in the caller's transaction: its index rows
   * go, it joins the garbage table, its leaves are marked removed. Returns the garbage rows made.
   */
  private async moveToGarbage(trx: Transaction<Database>, files: IndexedFile[], now: number): Promise<{ id: number; fileId: number; path: string }[]> {
    const out: { id: number; fileId: number; path: string }[] = [];
    for (const f of files) {
      if (!(await this.d.repos.recordings.removeClosedFile(trx, f))) continue;
      out.push(await this.d.repos.retentionGarbage.insert(trx, { cameraId: f.cameraId, fileId: f.id, path: f.path }, now));
      await this.d.repos.integrityLog.markFileRemoved(trx, f.id, now);
    }
    return out;
  }
}
