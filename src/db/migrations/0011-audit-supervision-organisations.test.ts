// Migration 0011's index of the organisations older supervision entries are about, on both dialects.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../../test/support/databases.js';
import { indexSupervisionOrganisations } from './0011-audit-supervision-organisations.js';

for (const dialect of DIALECTS) {
  describe(`0011 on ${dialect}`, () => {
    it('indexes each older supervision entry by the organisations of the system or unit its target names, once', async () => {
      const db = await freshDatabase(dialect);
      try {
        const k = db.kysely;
        const org = async (name: string, parent: number | null) => {
          const r = await sql<{ id: number }>`INSERT INTO organisations (kind, name, path, parent_id, created_at, updated_at)
            VALUES ('unit', ${name}, '/', ${parent}, 1, 1) RETURNING id`.execute(k);
          return Number(r.rows[0]!.id);
        };
        const region = await org('区', null);
        const school = await org('学校', region);
        const firm = await org('维保', region);
        const system = Number((await sql<{ id: number }>`INSERT INTO systems (name, region_id, funding, user_unit_id, managing_unit_id, maintainer_unit_id, built_before_rules, state, created_at, updated_at)
          VALUES ('校园', ${region}, 'self', ${school}, ${school}, ${firm}, 0, 'building', 1, 1) RETURNING id`.execute(k)).rows[0]!.id);
        const filing = Number((await sql<{ id: number }>`INSERT INTO filings (system_id, submitted_at, profile_id, deadline_basis, device_types, points)
          VALUES (${system}, 1, 'anhui', 'x', '[]', '[]') RETURNING id`.execute(k)).rows[0]!.id);
        const inspection = Number((await sql<{ id: number }>`INSERT INTO inspections (unit_id, inspector_id, profile_id, started_at, checklist, observations, evaluated_at, state, note)
          VALUES (${school}, 1, 'anhui', 1, '[]', '{}', 1, 'open', '') RETURNING id`.execute(k)).rows[0]!.id);
        const row = (seq: number, target: string | null) => sql`INSERT INTO audit_log (seq, at, action, actors, camera_ids, target, outcome, detail, prev_hash, row_hash)
          VALUES (${seq}, 1, 'registry_change', '[]', '[]', ${target}, 'success', '{}', ${'0'.repeat(64)}, ${'1'.repeat(64)})`.execute(k);
        // Rows as written before 0011: no organisation index rows.
        await row(901, `system:${system} acceptance`);
        await row(902, `filing:${filing} receive`);
        await row(903, `inspection:${inspection} close`);
        await row(904, 'system:99999 create');
        await row(905, `system:${system}x`);
        await row(906, `camera:${system} update`);
        for (let i = 0; i < 2; i++) await indexSupervisionOrganisations(k as never);
        const refs = await k.selectFrom('audit_refs').select(['kind', 'ref', 'seq']).where('seq', '>', 900).orderBy('seq').orderBy('ref').execute();
        const systemOrgs = [region, school, firm].sort((a, b) => a - b);
        expect(refs.map((r) => [r.kind, Number(r.ref), Number(r.seq)])).toEqual([
          ...systemOrgs.map((o) => ['organisation', o, 901]),
          ...systemOrgs.map((o) => ['organisation', o, 902]),
          ['organisation', school, 903],
        ]);
      } finally {
        await db.close();
      }
    });
  });
}
