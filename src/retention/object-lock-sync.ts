// Mirrors Vigil's legal holds onto the objects they cover: a hold placed puts a legal hold on
// every stored object of its camera and range; a hold released takes it off objects no other
// hold covers. Correctness comes from the tables — the desired state is recomputed from
// legal_holds each time, and footage_objects says what each object carries — so a pass missed
// (a crash, the store away) is made good by the next; the hold service only asks for one sooner.
// Likewise a key-target or incident mark placed after upload lengthens the objects it covers:
// their COMPLIANCE retention is moved to the longer period's end (never earlier).
import type { Logger } from 'pino';
import type { FencedFootageRepository } from '../db/fenced-footage.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { ObjectStore } from '../storage/object-store.js';
import { objectLockFor } from './object-retention.js';
import { overlaps, type CameraPolicy } from './retention-decision.js';

export interface ObjectLockSyncDeps {
  repos: Pick<Repositories, 'footageObjects' | 'legalHolds' | 'retentionMarks'>;
  objects: ObjectStore;
  logger: Logger;
  /** The periods of each camera; with them, marks placed after upload lengthen objects' retention. */
  policies?(cameraIds: number[]): Promise<Map<number, CameraPolicy>>;
  /** Kept-aside footage stored as objects: held and lengthened by the same holds and marks. */
  fenced?: FencedFootageRepository;
}

export class ObjectLockSync {
  private running: Promise<{ placed: number; released: number; extended: number }> | undefined;
  private again = false;

  constructor(private readonly d: ObjectLockSyncDeps) {}

  /** One pass; a call during a pass runs one more after it (a hold placed meanwhile is seen). */
  sync(): Promise<{ placed: number; released: number; extended: number }> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        let r = await this.pass();
        while (this.again) {
          this.again = false;
          const n = await this.pass();
          r = { placed: r.placed + n.placed, released: r.released + n.released, extended: r.extended + n.extended };
        }
        return r;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Asks for a pass without waiting; a failure is logged and left to the next. */
  nudge(): void {
    this.sync().catch((e: unknown) => this.d.logger.error({ err: e, store: this.d.objects.where }, 'legal holds not yet mirrored to the object store; retried on the next pass'));
  }

  private async pass(): Promise<{ placed: number; released: number; extended: number }> {
    const holds = (await this.d.repos.legalHolds.holds()).map((h) => ({ cameraId: Number(h.camera_id), from: h.range_from, to: h.range_to }));
    let placed = 0;
    let released = 0;
    for (const h of holds) {
      for (const o of await this.d.repos.footageObjects.overlapping(h.cameraId, h.from, h.to, false)) {
        await this.d.objects.setLegalHold(o.objectKey, o.versionId, true);
        await this.d.repos.footageObjects.setLegalHold(o.fileId, true);
        placed++;
      }
    }
    for (const o of await this.d.repos.footageObjects.held()) {
      if (holds.some((h) => h.cameraId === o.cameraId && overlaps(h, o.startedAt, o.endedAt))) continue;
      await this.d.objects.setLegalHold(o.objectKey, o.versionId, false);
      await this.d.repos.footageObjects.setLegalHold(o.fileId, false);
      released++;
    }
    for (const f of (await this.d.fenced?.storedInForce()) ?? []) {
      const want = holds.some((h) => h.cameraId === f.cameraId && overlaps(h, f.startMs, f.endMs));
      if (want === f.stored!.legalHold) continue;
      await this.d.objects.setLegalHold(f.stored!.objectKey, f.stored!.versionId, want);
      await this.d.fenced!.setLock(f.id, { legalHold: want });
      if (want) placed++;
      else released++;
    }
    return { placed, released, extended: await this.extend() };
  }

  /** Objects under a key-target or incident mark whose retention ends before the longer period's. */
  private async extend(): Promise<number> {
    if (!this.d.policies) return 0;
    const marks = await this.d.repos.retentionMarks.marks();
    if (marks.length === 0) return 0;
    const range = (m: (typeof marks)[number]) => ({ cameraId: Number(m.camera_id), from: m.range_from, to: m.range_to });
    const lockMarks = { keyTargets: marks.filter((m) => m.kind === 'key_target').map(range), incidents: marks.filter((m) => m.kind === 'incident').map(range) };
    const policies = await this.d.policies([...new Set(marks.map((m) => Number(m.camera_id)))]);
    let extended = 0;
    for (const m of marks) {
      for (const o of await this.d.repos.footageObjects.overlappingAll(Number(m.camera_id), m.range_from, m.range_to)) {
        const want = objectLockFor({ id: o.fileId, cameraId: o.cameraId, startedAt: o.startedAt, endedAt: o.endedAt }, policies.get(o.cameraId), lockMarks, []).retainUntil;
        // S3 keeps retain-until to the second: later by more than that is later.
        if (want === null || (o.retainUntil !== null && want <= o.retainUntil + 1000)) continue;
        await this.d.objects.extendRetention(o.objectKey, o.versionId, want);
        await this.d.repos.footageObjects.setRetainUntil(o.fileId, want);
        extended++;
      }
    }
    for (const f of (await this.d.fenced?.storedInForce()) ?? []) {
      const o = f.stored!;
      if (!marks.some((m) => Number(m.camera_id) === f.cameraId && overlaps({ from: m.range_from, to: m.range_to }, f.startMs, f.endMs))) continue;
      const want = objectLockFor({ id: f.id, cameraId: f.cameraId, startedAt: f.startMs, endedAt: f.endMs }, policies.get(f.cameraId), lockMarks, []).retainUntil;
      if (want === null || (o.retainUntil !== null && want <= o.retainUntil + 1000)) continue;
      await this.d.objects.extendRetention(o.objectKey, o.versionId, want);
      await this.d.fenced!.setLock(f.id, { retainUntil: want });
      extended++;
    }
    return extended;
  }
}
