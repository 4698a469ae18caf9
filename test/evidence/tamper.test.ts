// The tamper matrix on real recordings, on both dialects: each change to stored footage, to the
// index or to the log is found by `verifyFootage`, and the first bad position it names is the
// one changed. Every case is undone before the next, and the untouched store verifies clean.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFreeBox } from '../../src/media/fmp4/free-box.js';
import { verifyFootage, type ProblemKind } from '../../src/integrity/footage-verify.js';
import { MerkleLog } from '../../src/integrity/merkle-log.js';
import { DIALECTS } from '../support/databases.js';
import { recordFootage, type WrittenFile } from './footage.js';
import { evidenceWorld, T0, type EvidenceWorld } from './world.js';

for (const dialect of DIALECTS) {
  describe(`tamper matrix on ${dialect}`, () => {
    let w: EvidenceWorld;
    let files: WrittenFile[];
    let cam: number;
    const verify = () => verifyFootage({ repo: w.repos.integrityLog, index: w.repos.recordingIndex, publicKey: w.keys.publicKey, absolute: (p) => w.store.absolute(p) }, { cameraId: cam });
    const path = (i: number) => w.store.absolute(files[i]!.path);
    const frag = (i: number, seq: number) => files[i]!.fragments[seq]!;
    const db = () => w.db.kysely;

    beforeAll(async () => {
      w = await evidenceWorld(dialect, 1);
      cam = w.cameras[0]!;
      files = await recordFootage(w.repos, w.dataDir, cam, { startMs: T0, files: 3, secondsPerFile: 5 });
      const log = new MerkleLog({ repo: w.repos.integrityLog, index: w.repos.recordingIndex, keys: w.keys, clock: w.clock, logger: pino({ level: 'silent' }), absolute: (p) => w.store.absolute(p) });
      expect(await log.sealAll()).toBe(3 * 6); // an init leaf and five fragments a file
      expect(await log.signHeads()).toHaveLength(1);
    }, 60_000);
    afterAll(() => w.close());

    /** Applies a change, checks the first problem, and undoes the change. */
    async function expectFirst(change: () => Promise<() => Promise<void>>, kind: ProblemKind, where: { file?: number; seq?: number }) {
      const undo = await change();
      try {
        const r = await verify();
        expect(r.ok).toBe(false);
        expect(r.first?.kind, JSON.stringify(r.problems.slice(0, 3))).toBe(kind);
        if (where.file !== undefined) expect(r.first?.fileId).toBe(files[where.file]!.id);
        if (where.seq !== undefined) expect(r.first?.seq).toBe(where.seq);
      } finally {
        await undo();
      }
      expect((await verify()).ok).toBe(true);
    }
    const bytesChange = (i: number, edit: (b: Buffer) => Buffer) => async () => {
      const original = readFileSync(path(i));
      writeFileSync(path(i), edit(Buffer.from(original)));
      return async () => writeFileSync(path(i), original);
    };
    const rowChange = (seqOf: { i: number; seq: number }, set: Record<string, unknown>) => async () => {
      const row = await db().selectFrom('recording_fragments').selectAll().where('file_id', '=', files[seqOf.i]!.id).where('seq', '=', seqOf.seq).executeTakeFirstOrThrow();
      await db().updateTable('recording_fragments').set(set).where('id', '=', row.id).execute();
      return async () => {
        await db().updateTable('recording_fragments').set({ ...row, id: undefined } as never).where('id', '=', row.id).execute();
      };
    };

    it('verifies the untouched store, every fragment against the log', async () => {
      const r = await verify();
      expect(r).toMatchObject({ ok: true, files: 3, fragments: 15, unsealed: 0 });
    });

    it('a flipped bit in a fragment', () =>
      expectFirst(bytesChange(1, (b) => ((b[frag(1, 2).byteOffset + 100]! ^= 0x10), b)), 'bytes_changed', { file: 1, seq: 2 }));

    it('a changed init segment', () => expectFirst(bytesChange(0, (b) => ((b[40]! ^= 1), b)), 'init_changed', { file: 0 }));

    it('a file cut inside a fragment', () =>
      expectFirst(bytesChange(2, (b) => b.subarray(0, frag(2, 3).byteOffset + 10)), 'truncated', { file: 2, seq: 3 }));

    it('a deleted file', () =>
      expectFirst(async () => {
        renameSync(path(1), `${path(1)}.away`);
        return async () => renameSync(`${path(1)}.away`, path(1));
      }, 'file_missing', { file: 1 }));

    it('a fragment inserted into a file', () =>
      expectFirst(bytesChange(0, (b) => {
        const f1 = frag(0, 1);
        const at = frag(0, 2).byteOffset;
        return Buffer.concat([b.subarray(0, at), b.subarray(f1.byteOffset, f1.byteOffset + f1.size), b.subarray(at)]);
      }), 'bytes_changed', { file: 0, seq: 2 }));

    it('two fragments swapped in a file', () =>
      expectFirst(bytesChange(1, (b) => {
        const a = frag(1, 1);
        const c = frag(1, 2);
        return Buffer.concat([b.subarray(0, a.byteOffset), b.subarray(c.byteOffset, c.byteOffset + c.size), b.subarray(a.byteOffset, a.byteOffset + a.size), b.subarray(c.byteOffset + c.size)]);
      }), 'bytes_changed', { file: 1, seq: 1 }));

    it('bytes appended to a file', () => expectFirst(async () => {
      const original = readFileSync(path(2));
      appendFileSync(path(2), Buffer.alloc(100, 7));
      return async () => writeFileSync(path(2), original);
    }, 'trailing_bytes', { file: 2 }));

    it('data hidden after the last fragment in a free box larger than any padding', () => expectFirst(async () => {
      const original = readFileSync(path(2));
      const box = Buffer.alloc(20_000);
      writeFreeBox(box, 0, box.length);
      appendFileSync(path(2), box);
      return async () => writeFileSync(path(2), original);
    }, 'trailing_bytes', { file: 2 }));

    it('accepts the padding a file being written with direct I/O ends with', async () => {
      const original = readFileSync(path(2));
      const box = Buffer.alloc(4000);
      writeFreeBox(box, 0, box.length);
      appendFileSync(path(2), box);
      try {
        const r = await verify();
        expect(r.problems).toEqual([]);
      } finally {
        writeFileSync(path(2), original);
      }
    });

    /** File 2 reopened, as the recorder holds the file it is writing, for the length of `body`. */
    async function whileLive(body: () => Promise<void>) {
      const id = files[2]!.id;
      const original = readFileSync(path(2));
      await db().updateTable('recording_files').set({ closed: 0 }).where('id', '=', id).execute();
      try {
        await body();
      } finally {
        writeFileSync(path(2), original);
        await db().updateTable('recording_files').set({ closed: 1 }).where('id', '=', id).execute();
      }
    }
    const fragmentBytes = (i: number, seq: number) => readFileSync(path(i)).subarray(frag(i, seq).byteOffset, frag(i, seq).byteOffset + frag(i, seq).size);

    it('a live file: fragments written but not yet indexed are being written, not tampering', () => whileLive(async () => {
      // A whole fragment and half of the next, as the recorder leaves them between index batches.
      const next = fragmentBytes(2, 4);
      appendFileSync(path(2), Buffer.concat([next, next.subarray(0, next.length >> 1)]));
      const r = await verify();
      expect(r.problems).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.beingWritten).toEqual([expect.objectContaining({ fileId: files[2]!.id, pendingBytes: next.length + (next.length >> 1) })]);
    }));

    it('a live file: a flipped bit in an indexed fragment still fails', () => whileLive(async () => {
      appendFileSync(path(2), fragmentBytes(2, 4));
      const b = readFileSync(path(2));
      b[frag(2, 1).byteOffset + 60]! ^= 0x04;
      writeFileSync(path(2), b);
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.first).toMatchObject({ kind: 'bytes_changed', fileId: files[2]!.id, seq: 1 });
    }));

    it('a live file: bytes that are no fragment after its last indexed one are still tampering', () => whileLive(async () => {
      appendFileSync(path(2), Buffer.alloc(100, 7));
      const r = await verify();
      expect(r.first).toMatchObject({ kind: 'trailing_bytes', fileId: files[2]!.id });
      expect(r.beingWritten).toEqual([]);
    }));

    it('an edited index row (its time)', () => expectFirst(rowChange({ i: 1, seq: 3 }, { start_ms: frag(1, 3).startMs + 1000 }), 'index_edited', { file: 1, seq: 3 }));

    it('bytes changed with their stored hash changed to match', () => expectFirst(async () => {
      const undoBytes = await bytesChange(2, (b) => ((b[frag(2, 1).byteOffset + 50]! ^= 1), b))();
      const { createHash } = await import('node:crypto');
      const b = readFileSync(path(2)).subarray(frag(2, 1).byteOffset, frag(2, 1).byteOffset + frag(2, 1).size);
      const undoRow = await rowChange({ i: 2, seq: 1 }, { sha256: createHash('sha256').update(b).digest('hex') })();
      return async () => {
        await undoRow();
        await undoBytes();
      };
    }, 'index_edited', { file: 2, seq: 1 }));

    it('index rows reordered (two seqs swapped)', () => expectFirst(async () => {
      const id = files[0]!.id;
      const rows = await db().selectFrom('recording_fragments').select(['id', 'seq']).where('file_id', '=', id).where('seq', 'in', [1, 2]).orderBy('seq').execute();
      const set = async (a: number, b: number) => {
        await db().updateTable('recording_fragments').set({ seq: -1 }).where('id', '=', rows[0]!.id).execute();
        await db().updateTable('recording_fragments').set({ seq: b }).where('id', '=', rows[1]!.id).execute();
        await db().updateTable('recording_fragments').set({ seq: a }).where('id', '=', rows[0]!.id).execute();
      };
      await set(2, 1);
      return () => set(1, 2);
    }, 'index_edited', { file: 0 }));

    it('a deleted index row', () => expectFirst(async () => {
      const row = await db().selectFrom('recording_fragments').selectAll().where('file_id', '=', files[1]!.id).where('seq', '=', 4).executeTakeFirstOrThrow();
      await db().deleteFrom('recording_fragments').where('id', '=', row.id).execute();
      return async () => {
        await db().insertInto('recording_fragments').values(row as never).execute();
      };
    }, 'fragment_deleted', { file: 1 }));

    it('an inserted index row', () => expectFirst(async () => {
      const row = await db().selectFrom('recording_fragments').selectAll().where('file_id', '=', files[0]!.id).where('seq', '=', 4).executeTakeFirstOrThrow();
      const { id: _id, ...rest } = row;
      // Inserted with an id inside the sealed range, as a forger would.
      const forged = await db().insertInto('recording_fragments').values({ ...rest, id: Number(row.id) + 100_000, seq: 5, start_ms: row.end_ms, end_ms: row.end_ms + 1000 } as never).returning('id').executeTakeFirstOrThrow();
      const state = (await w.repos.integrityLog.logState(cam))!;
      await db().updateTable('integrity_logs').set({ last_fragment_id: Number(forged.id) }).where('camera_id', '=', cam).execute();
      return async () => {
        await db().deleteFrom('recording_fragments').where('id', '=', forged.id).execute();
        await db().updateTable('integrity_logs').set({ last_fragment_id: state.lastFragmentId }).where('camera_id', '=', cam).execute();
      };
    }, 'not_in_log', { file: 0, seq: 5 }));

    it('a row and its leaf rewritten together: the signed head no longer matches', () => expectFirst(async () => {
      const undoRow = await rowChange({ i: 1, seq: 0 }, { samples: 1 })();
      const f = (await w.repos.recordingIndex.fileFragments(files[1]!.id))[0]!;
      const { fragmentLeaf } = await import('../../src/integrity/leaf.js');
      const leaf = await db().selectFrom('integrity_leaves').selectAll().where('fragment_id', '=', f.id).executeTakeFirstOrThrow();
      await db().updateTable('integrity_leaves').set({ leaf_hash: fragmentLeaf(f).toString('hex') }).where('fragment_id', '=', f.id).execute();
      return async () => {
        await db().updateTable('integrity_leaves').set({ leaf_hash: leaf.leaf_hash }).where('fragment_id', '=', f.id).execute();
        await undoRow();
      };
    }, 'log_rewritten', {}));

    it('a forged tree head', () => expectFirst(async () => {
      const head = (await w.repos.integrityLog.latestTreeHead(cam))!;
      await db().updateTable('integrity_tree_heads').set({ root_hash: '00'.repeat(32) }).where('id', '=', head.id).execute();
      return async () => {
        await db().updateTable('integrity_tree_heads').set({ root_hash: head.root_hash }).where('id', '=', head.id).execute();
      };
    }, 'tree_head_signature', {}));
  });
}
