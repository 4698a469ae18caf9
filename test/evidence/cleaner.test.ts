// The cleaner on real recordings, on both dialects: only whole files past their period and under
// no hold go, each removal is registered with its ranges and hashes, and the register stays whole.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/verify.js';
import { DAY_MS } from '../../src/retention/retention-decision.js';
import { DIALECTS } from '../support/databases.js';
import { recordFootage, type WrittenFile } from './footage.js';
import { evidenceWorld, T0, type EvidenceWorld } from './world.js';

for (const dialect of DIALECTS) {
  describe(`retention cleaner on ${dialect}`, () => {
    let w: EvidenceWorld;
    let old: WrittenFile[];
    let recent: WrittenFile[];
    let otherCam: WrittenFile[];
    beforeAll(async () => {
      w = await evidenceWorld(dialect);
      old = await recordFootage(w.repos, w.dataDir, w.cameras[0]!, { startMs: T0 - 40 * DAY_MS, files: 4, secondsPerFile: 2 });
      recent = await recordFootage(w.repos, w.dataDir, w.cameras[0]!, { startMs: T0 - 10 * DAY_MS, files: 1, secondsPerFile: 2 });
      otherCam = await recordFootage(w.repos, w.dataDir, w.cameras[1]!, { startMs: T0 - 40 * DAY_MS, files: 1, secondsPerFile: 2 });
    }, 60_000);
    afterAll(() => w.close());

    it('removes whole files past 30 days (CN799-17) under no hold, and registers each with its hashes', async () => {
      // A legal hold on a range inside the second old file of camera 1.
      await w.db.kysely.transaction().execute((trx) =>
        w.repos.legalHolds.insertHold(trx, {
          camera_id: w.cameras[0]!, range_from: old[1]!.startMs + 500, range_to: old[1]!.startMs + 600, case_ref: '哈公刑(2027)12号', reason: 'robbery',
          state: 'active', placed_by: 1, placed_at: T0, release_requested_by: null, release_requested_at: null, release_reason: null, released_by: null, released_at: null,
        }),
      );
      const report = await w.cleaner().runOnce();
      expect(report).toMatchObject({ removedFiles: 4, keptByHold: 1 });
      const gone = [old[0]!, old[2]!, old[3]!, otherCam[0]!];
      for (const f of gone) {
        expect(existsSync(w.store.absolute(f.path))).toBe(false);
        expect(await w.repos.recordings.file(f.id)).toBeUndefined();
        expect(await w.repos.recordings.fragments(f.id)).toEqual([]);
      }
      for (const f of [old[1]!, recent[0]!]) {
        expect(existsSync(w.store.absolute(f.path))).toBe(true);
        expect((await w.repos.recordings.fragments(f.id)).length).toBe(f.fragments.length);
      }
      expect(await w.repos.retentionGarbage.garbage()).toEqual([]);
      const entries = [];
      for await (const e of w.audit.entries({ action: 'retention_delete' })) entries.push(e);
      expect(entries.map((e) => e.cameraIds)).toEqual([[w.cameras[0]], [w.cameras[1]]]);
      const files = entries[0]!.detail.files as { path: string; fragments: number; fragmentHashesSha256: string; from: number; to: number }[];
      expect(files.map((f) => f.path)).toEqual([old[0]!.path, old[2]!.path, old[3]!.path]);
      expect(files[0]).toMatchObject({ fragments: old[0]!.fragments.length, from: old[0]!.startMs, to: old[0]!.endMs });
      expect(files[0]!.fragmentHashesSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(entries[0]).toMatchObject({ from: old[0]!.startMs, to: old[3]!.endMs, outcome: 'success' });
      expect(entries[0]!.reason).toContain('30 days (CN799-17)');
      expect((await verifyChain(w.db, { publicKey: w.keys.publicKey })).ok).toBe(true);
    });

    it('keeps the held file past any period and a second pass removes nothing more', async () => {
      w.clock.advance(3000 * DAY_MS);
      const report = await w.cleaner().runOnce();
      // The recent file is now past its period too; the held one is not touched.
      expect(report.removedFiles).toBe(1);
      expect(existsSync(w.store.absolute(old[1]!.path))).toBe(true);
      expect(existsSync(w.store.absolute(recent[0]!.path))).toBe(false);
      expect((await w.cleaner().runOnce()).removedFiles).toBe(0);
      w.clock.set(T0);
    });

    // The Counter-Terrorism Law (CTL-32) sits beneath every profile: a key target keeps 90 days
    // under Harbin's own HRB-28 and under the national profile alike (the old test let national
    // delete it at 60 days, which no profile may do).
    it('a key-target camera keeps 90 days under every profile (HRB-28, CTL-32)', async () => {
      const [young] = await recordFootage(w.repos, w.dataDir, w.cameras[1]!, { startMs: T0 - 60 * DAY_MS, files: 1, secondsPerFile: 1 });
      const [old] = await recordFootage(w.repos, w.dataDir, w.cameras[1]!, { startMs: T0 - 100 * DAY_MS, files: 1, secondsPerFile: 1 });
      await w.repos.retentionMarks.insertMark({ camera_id: w.cameras[1]!, kind: 'key_target', range_from: null, range_to: null, note: 'transport hub', created_by: null, created_at: T0 });
      expect((await w.cleaner('national').runOnce()).removedFiles).toBe(1);
      expect(existsSync(w.store.absolute(old!.path))).toBe(false);
      expect(existsSync(w.store.absolute(young!.path))).toBe(true);
      expect((await w.cleaner('harbin').runOnce()).removedFiles).toBe(0);
      expect((await w.cleaner('anhui').runOnce()).removedFiles).toBe(0);
      expect(existsSync(w.store.absolute(young!.path))).toBe(true);
    });
  });
}
