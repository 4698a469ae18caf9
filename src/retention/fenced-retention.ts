// Retention of kept-aside footage (recorder/fenced-footage.ts): a kept file is footage of its
// camera for its time, so it goes when — and only when — the same decision lets a recording file of
// that camera and time go (retention-decision.ts: every period that reaches it run out, no hold).
// Order, as for recording files: one transaction marks the row removed and registers the removal
// (path, hash, range, period); then the local file and its object go, and the row is marked gone.
// A crash or a refusing store between the two leaves a removed row not gone, finished next pass.
import type { AuditLog } from '../audit/audit-log.js';
import type { FencedFootage, FencedFootageRepository } from '../db/fenced-footage.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from 'pino';
import type { ObjectStore } from '../storage/object-store.js';
import { decideRetention, overlaps, type FileDecision, type RetentionPolicy } from './retention-decision.js';
import { RETENTION_ACTOR, type FileRemover } from './cleaner.js';
import { assertObjectDeletable } from './stored-footage-remover.js';

export interface FencedRetentionDeps {
  repo: FencedFootageRepository;
  repos: Pick<Repositories, 'legalHolds'>;
  audit: AuditLog;
  /** The local data folder (whichever node's disk holds the file; absent files are no fault). */
  files: FileRemover;
  /** The object store, when kept files are uploaded there. */
  objects?: ObjectStore | null;
  clock: Clock;
  logger: Logger;
}

export class FencedRetention {
  constructor(private readonly d: FencedRetentionDeps) {}

  /** Cameras with kept files in force, whose policies the plan needs. */
  async cameraIds(): Promise<number[]> {
    return this.d.repo.cameraIdsInForce();
  }

  /** Kept files whose every period has run out (and no hold touches), by the cleaner's rule. */
  async plan(policy: RetentionPolicy, holds: Parameters<typeof decideRetention>[2], endedBefore: number): Promise<{ file: FencedFootage; decision: FileDecision }[]> {
    const rows = await this.d.repo.endedBefore(endedBefore);
    if (rows.length === 0) return [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const decision = decideRetention(rows.map((r) => ({ id: r.id, cameraId: r.cameraId, startedAt: r.startMs, endedAt: r.endMs, closed: true })), policy, holds, this.d.clock.now());
    return decision.remove.map((decision) => ({ file: byId.get(decision.fileId)!, decision }));
  }

  /** Registers and carries out the removal of each planned file; returns how many went. */
  async remove(planned: { file: FencedFootage; decision: FileDecision }[]): Promise<number> {
    let removed = 0;
    for (const { file, decision } of planned) {
      const now = this.d.clock.now();
      const marked = await this.d.audit.transaction(async (trx) => {
        // The register's lock first: a hold being placed commits before this reads, or after it.
        await this.d.audit.repo.reserve(trx, 0);
        const holds = await this.d.repos.legalHolds.heldRanges(trx, file.cameraId);
        if (holds.some((h) => overlaps(h, file.startMs, file.endMs))) return false;
        if (!(await this.d.repo.markRemoved(trx, file.id, now))) return false;
        const period = decision.period ? `${decision.period.days} days (${decision.period.article})` : null;
        await this.d.audit.append(trx, {
          action: 'retention_delete',
          actors: [RETENTION_ACTOR],
          cameraIds: [file.cameraId],
          from: file.startMs,
          to: file.endMs,
          outcome: 'success',
          reason: `kept-aside footage past the retention period: ${period ?? 'no period'}`,
          detail: {
            keptAside: {
              path: file.path, sha256: file.sha256, bytes: file.bytes, fragments: file.fragments, node: file.nodeId, epoch: file.epoch,
              from: file.startMs, to: file.endMs, object: file.stored ? { key: file.stored.objectKey, versionId: file.stored.versionId } : null, period,
            },
          },
        });
        return true;
      });
      if (!marked) continue;
      removed++;
      await this.finish({ ...file, removedAt: now });
    }
    return removed;
  }

  /** Removals decided but not finished (a crash, or a store that still refused): tried again. */
  async finishUnfinished(): Promise<number> {
    let n = 0;
    for (const f of await this.d.repo.removalsUnfinished()) if (await this.finish(f)) n++;
    return n;
  }

  private async finish(f: FencedFootage): Promise<boolean> {
    try {
      await this.d.files.remove(f.path);
      const o = f.stored;
      if (o) {
        if (!this.d.objects) throw new Error(`${f.path} is stored as object ${o.objectKey}, and no object store is configured`);
        assertObjectDeletable(f.path, o, this.d.objects.where, this.d.clock.now());
        await this.d.objects.delete(o.objectKey, o.versionId);
      }
      await this.d.repo.markGone(f.id, this.d.clock.now());
      return true;
    } catch (e) {
      this.d.logger.warn({ err: e, path: f.path }, 'retention could not remove kept-aside footage yet; retried on the next pass');
      return false;
    }
  }
}
