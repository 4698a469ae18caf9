// Migration 0010's index of target subjects for entries written before it, on both dialects.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../../test/support/databases.js';
import { indexTargetSubjects } from './0010-audit-chain-after-commit.js';

for (const dialect of DIALECTS) {
  describe(`0010 on ${dialect}`, () => {
    it('indexes the person or organisation each older entry\'s target names, once', async () => {
      const db = await freshDatabase(dialect);
      try {
        const row = (seq: number, target: string | null) => sql`INSERT INTO audit_log (seq, at, action, actors, camera_ids, target, outcome, detail, prev_hash, row_hash)
          VALUES (${seq}, 1, 'permission_change', '[]', '[]', ${target}, 'success', '{}', ${'0'.repeat(64)}, ${'1'.repeat(64)})`.execute(db.kysely);
        // Rows as written before 0010: no subject index rows.
        await row(901, 'user:12');
        await row(902, 'organisation:4 update');
        await row(903, 'organisation:4x');
        await row(904, 'camera:3 update');
        await row(905, null);
        await row(906, 'user:0');
        for (let i = 0; i < 2; i++) await indexTargetSubjects(db.kysely as never);
        const refs = await db.kysely.selectFrom('audit_refs').select(['kind', 'ref', 'seq']).where('seq', '>', 900).orderBy('seq').execute();
        expect(refs.map((r) => [r.kind, Number(r.ref), Number(r.seq)])).toEqual([['subject_user', 12, 901], ['organisation', 4, 902]]);
      } finally {
        await db.close();
      }
    });
  });
}
