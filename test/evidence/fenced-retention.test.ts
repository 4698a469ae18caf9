// Kept-aside footage (fragments a node wrote under a lease it had lost, kept by
// recorder/fenced-footage.ts) is footage of its camera for its time: on both dialects, the cleaner
// removes a kept file only once every period that reaches it has run out and no hold touches it,
// registers the removal with the kept file's hash, and finishes a removal a crash interrupted.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/verify.js';
import type { FencedFootage } from '../../src/db/fenced-footage.repository.js';
import { keepFencedFragments } from '../../src/recorder/fenced-footage.js';
import { FencedFootageUploader } from '../../src/retention/fenced-footage-uploader.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { DAY_MS } from '../../src/retention/retention-decision.js';
import { DIALECTS } from '../support/databases.js';
import { recordFootage } from './footage.js';
import { evidenceWorld, quiet, T0, type EvidenceWorld } from './world.js';

for (const dialect of DIALECTS) {
  describe(`kept-aside footage under retention on ${dialect}`, () => {
    let w: EvidenceWorld;
    /** Keeps aside the last two fragments of a file recorded `daysAgo` days before T0. */
    const keep = async (cameraId: number, daysAgo: number): Promise<FencedFootage> => {
      const [written] = await recordFootage(w.repos, w.dataDir, cameraId, { startMs: T0 - daysAgo * DAY_MS, files: 1, secondsPerFile: 2 });
      const file = (await w.repos.recordings.file(written!.id))!;
      const fragments = await w.repos.recordings.fragments(written!.id);
      return keepFencedFragments(file, fragments.slice(-2), w.store.absolute(file.path), {
        repo: w.repos.recordings, fenced: w.repos.fencedFootage, nodeId: 'n1', dataDir: w.dataDir, now: () => w.clock.now(), logger: quiet,
      });
    };
    beforeAll(async () => {
      w = await evidenceWorld(dialect);
    }, 60_000);
    afterAll(() => w.close());

    it('removes a kept file past 30 days (CN799-17) and registers it with its hash; one within its period or under a hold stays', async () => {
      const old = await keep(w.cameras[0]!, 40);
      const recent = await keep(w.cameras[0]!, 10);
      const held = await keep(w.cameras[1]!, 45);
      await w.db.kysely.transaction().execute((trx) =>
        w.repos.legalHolds.insertHold(trx, {
          camera_id: w.cameras[1]!, range_from: held.startMs, range_to: held.endMs, case_ref: '哈公刑(2027)31号', reason: 'theft',
          state: 'active', placed_by: 1, placed_at: T0, release_requested_by: null, release_requested_at: null, release_reason: null, released_by: null, released_at: null,
        }),
      );
      for (const k of [old, recent, held]) expect(existsSync(w.store.absolute(k.path))).toBe(true);

      const report = await w.cleaner().runOnce();
      expect(report.fencedRemoved).toBe(1);
      expect(existsSync(w.store.absolute(old.path))).toBe(false);
      expect(existsSync(w.store.absolute(recent.path))).toBe(true);
      expect(existsSync(w.store.absolute(held.path))).toBe(true);
      const rows = new Map((await w.repos.fencedFootage.list()).map((r) => [r.id, r]));
      expect(rows.get(old.id)).toMatchObject({ removedAt: T0, goneAt: T0 });
      expect(rows.get(recent.id)).toMatchObject({ removedAt: null, goneAt: null });
      expect(rows.get(held.id)).toMatchObject({ removedAt: null, goneAt: null });
      // No longer offered for its range once removed.
      expect(await w.repos.fencedFootage.inRange(w.cameras[0]!, old.startMs, old.endMs)).toEqual([]);

      const entries = [];
      for await (const e of w.audit.entries({ action: 'retention_delete' })) entries.push(e);
      const kept = entries.filter((e) => e.detail.keptAside);
      expect(kept).toHaveLength(1);
      expect(kept[0]).toMatchObject({ cameraIds: [w.cameras[0]], from: old.startMs, to: old.endMs, outcome: 'success' });
      expect(kept[0]!.reason).toContain('30 days (CN799-17)');
      expect(kept[0]!.detail.keptAside).toMatchObject({ path: old.path, sha256: old.sha256, bytes: old.bytes, node: 'n1', object: null });
      expect((await verifyChain(w.db, { publicKey: w.keys.publicKey })).ok).toBe(true);

      // A second pass removes nothing more.
      expect((await w.cleaner().runOnce()).fencedRemoved).toBe(0);
    });

    it('a removal decided before a crash, its file still on disk, is finished by the next pass', async () => {
      const k = await keep(w.cameras[0]!, 50);
      // The crash: the decision committed, the file not yet removed.
      await w.db.kysely.transaction().execute((trx) => w.repos.fencedFootage.markRemoved(trx, k.id, T0));
      expect(existsSync(w.store.absolute(k.path))).toBe(true);
      expect((await w.repos.fencedFootage.removalsUnfinished()).map((r) => r.id)).toEqual([k.id]);
      const report = await w.cleaner().runOnce();
      expect(report.garbageCollected).toBeGreaterThanOrEqual(1);
      expect(existsSync(w.store.absolute(k.path))).toBe(false);
      expect(await w.repos.fencedFootage.removalsUnfinished()).toEqual([]);
    });

    it('a kept file changed since it was kept is not uploaded: the refusal is recorded once, as an error event of its camera', async () => {
      const k = await keep(w.cameras[1]!, 5);
      const abs = w.store.absolute(k.path);
      const bytes = readFileSync(abs);
      bytes[bytes.length - 1]! ^= 0xff;
      writeFileSync(abs, bytes);
      // The store is never reached for a refused file: any call to it fails the test.
      const untouched = new Proxy({} as ObjectStore, { get: (_, key) => (key === 'where' ? 'no store' : () => Promise.reject(new Error(`the object store was called: ${String(key)}`))) });
      const uploader = new FencedFootageUploader({ repo: w.repos.fencedFootage, recordings: w.repos.recordings, nodeId: 'n1', objects: untouched, absolute: (p) => w.store.absolute(p), clock: w.clock, logger: quiet });
      const pending = await uploader.pending();
      expect(pending.map((p) => p.id)).toContain(k.id);
      const report = await uploader.upload(pending.filter((p) => p.id === k.id), { policies: new Map(), marks: { keyTargets: [], incidents: [] }, holds: [] });
      expect(report.uploaded).toBe(0);
      const row = (await w.repos.fencedFootage.list(w.cameras[1]!)).find((r) => r.id === k.id)!;
      expect(row.stored).toBeNull();
      expect(row.uploadRefused).toContain(`kept ${k.sha256}`);
      const refusals = async () => (await w.repos.recordingIndex.events(w.cameras[1]!, k.startMs - 1, k.endMs + 1)).filter((e) => e.detail.startsWith('FENCED NOT UPLOADED'));
      expect(await refusals()).toHaveLength(1);
      expect((await refusals())[0]!.detail).toContain(k.path);
      // Not offered again, and not refused (nor registered) a second time.
      expect((await uploader.pending()).map((p) => p.id)).not.toContain(k.id);
      await uploader.upload([row], { policies: new Map(), marks: { keyTargets: [], incidents: [] }, holds: [] });
      expect(await refusals()).toHaveLength(1);
    });

    it('the held file goes once the hold is released and its period has run out', async () => {
      const held = (await w.repos.fencedFootage.list(w.cameras[1]!)).find((r) => r.removedAt === null)!;
      const [hold] = await w.repos.legalHolds.holds();
      await w.db.kysely.transaction().execute((trx) => w.repos.legalHolds.updateHold(trx, Number(hold!.id), 'active', { state: 'released', released_by: 2, released_at: T0 }));
      expect((await w.cleaner().runOnce()).fencedRemoved).toBe(1);
      expect(existsSync(w.store.absolute(held.path))).toBe(false);
    });
  });
}
