// Inclusion proofs from the stored subtree roots: the real sealer appends a camera's fragments in
// several batches, then every proof asked for — against the current head and an older one —
// verifies with the package verifier's RFC 9162 algorithm; the migration's backfill of a log
// sealed before the table existed stores exactly the sealer's rows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import { PlatformKeys } from '../audit/platform-key.js';
import type { Db } from '../db/database.js';
import { backfillNodes } from '../db/migrations/0021-integrity-nodes.js';
import { createRepositories, type Repositories } from '../db/repositories.js';
import { fixedClock } from '../domain/clock.js';
import { MerkleLog } from './merkle-log.js';
import { rootOf, verifyInclusion } from './merkle.js';

const T0 = Date.UTC(2027, 0, 1);

for (const dialect of DIALECTS) {
  describe(`inclusion proofs from stored nodes on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let log: MerkleLog;
    let cam: number;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-proofs-'));
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      [cam] = (await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a'], T0)) as [number];
      log = new MerkleLog({ repo: repos.integrityLog, index: repos.recordingIndex, keys: PlatformKeys.loadOrCreate(dir), clock: fixedClock(T0), logger: pino({ level: 'silent' }), absolute: (p) => join(dir, p) });
      // Three files, sealed after each batch of fragments so subtrees span the sealer's batches.
      let seq = 0;
      for (let file = 0; file < 3; file++) {
        const path = `recordings/${file}.mp4`;
        writeFileSync(join(dir, path.replace('recordings/', '')), Buffer.alloc(16, file));
        const f = await repos.recordings.createFile({ cameraId: cam, path: path.replace('recordings/', ''), codec: 'avc1', width: 1, height: 1, initSize: 16, startedAt: T0 + file * 1e6 });
        for (let batch = 0, offset = 16; batch < 4; batch++) {
          // Uneven batches, so the sealer's batches end at odd places in the tree.
          const fragments = Array.from({ length: 37 + file * 11 + batch }, (_, k) => {
            const start = T0 + file * 1e6 + (seq + k) * 1000;
            return { fileId: f.id, cameraId: cam, seq: batch * 1000 + k, byteOffset: offset + k * 10, size: 10, startMs: start, endMs: start + 1000, keyframe: true, samples: 25, sha256: (seq + k).toString(16).padStart(64, '0') };
          });
          offset += fragments.length * 10;
          await repos.recordings.commit({ fragments, fileProgress: [{ fileId: f.id, endedAt: fragments.at(-1)!.endMs, bytes: offset, closed: batch === 3 }], events: [] });
          seq += fragments.length;
          await log.sealCamera(cam);
        }
      }
      await log.signHeads();
    });
    afterAll(() => db.close());

    const leafHash = async (i: number) => Buffer.from((await repos.integrityLog.leafHashesAt(cam, [i])).get(i)!, 'hex');

    it('gives proofs that verify against the signed head, and against an older size with the old root', async () => {
      const head = (await repos.integrityLog.latestTreeHead(cam))!;
      const size = Number(head.tree_size);
      expect(size).toBeGreaterThan(500);
      const all = Array.from({ length: size }, (_, i) => i);
      const proofs = await log.inclusionProofs(cam, size, all);
      for (const i of all) expect(verifyInclusion(await leafHash(i), i, size, proofs.get(i)!, Buffer.from(head.root_hash, 'hex')), `leaf ${i}`).toBe(true);
      // A wrong leaf, index or size fails: the proofs are not vacuous.
      expect(verifyInclusion(await leafHash(1), 0, size, proofs.get(0)!, Buffer.from(head.root_hash, 'hex'))).toBe(false);
      expect(verifyInclusion(await leafHash(3), 3, size * 2, proofs.get(3)!, Buffer.from(head.root_hash, 'hex'))).toBe(false);

      const older = 333;
      const oldRoot = rootOf(await Promise.all(Array.from({ length: older }, (_, i) => leafHash(i))));
      const oldProofs = await log.inclusionProofs(cam, older, [0, 17, 256, 331, 332]);
      for (const [i, p] of oldProofs) expect(verifyInclusion(await leafHash(i), i, older, p, oldRoot), `leaf ${i} of ${older}`).toBe(true);
      expect(verifyInclusion(await leafHash(17), 17, older, oldProofs.get(17)!, Buffer.from(head.root_hash, 'hex'))).toBe(false);
    });

    it('the migration backfills exactly the nodes the sealer stores', async () => {
      const rows = () => db.kysely.selectFrom('integrity_nodes').selectAll().where('camera_id', '=', cam).orderBy('level').orderBy('node_index').execute();
      const sealed = await rows();
      expect(sealed.length).toBeGreaterThan(30);
      await db.kysely.deleteFrom('integrity_nodes').where('camera_id', '=', cam).execute();
      await backfillNodes(db.kysely as never, cam, (await repos.integrityLog.logState(cam))!.size);
      expect(await rows()).toEqual(sealed);
    });
  });
}
