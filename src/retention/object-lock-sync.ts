// Mirrors Vigil's legal holds onto the objects they cover: a hold placed puts a legal hold on
// every stored object of its camera and range; a hold released takes it off objects no other
// hold covers. Correctness comes from the tables — the desired state is recomputed from
// legal_holds each time, and footage_objects says what each object carries — so a pass missed
// (a crash, the store away) is made good by the next; the hold service only asks for one sooner.
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { ObjectStore } from '../storage/object-store.js';
import { overlaps } from './retention-decision.js';

export interface ObjectLockSyncDeps {
  repos: Pick<Repositories, 'footageObjects' | 'legalHolds'>;
  objects: ObjectStore;
  logger: Logger;
}

export class ObjectLockSync {
  private running: Promise<{ placed: number; released: number }> | undefined;
  private again = false;

  constructor(private readonly d: ObjectLockSyncDeps) {}

  /** One pass; a call during a pass runs one more after it (a hold placed meanwhile is seen). */
  sync(): Promise<{ placed: number; released: number }> {
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
          r = { placed: r.placed + n.placed, released: r.released + n.released };
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

  private async pass(): Promise<{ placed: number; released: number }> {
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
    return { placed, released };
  }
}
