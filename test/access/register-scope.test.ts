// Reading the register within one's subtree: a district's police supervisor or auditor searches
// and exports the entries naming a camera of the district, an actor belonging to it, or as their
// subject an organisation of it or a person belonging to it, or about a system or unit of it (a
// filing, an inspection), and nothing else; asking for another district's camera is refused and
// registered; the chain as a whole stays with platform-wide readers. On SQLite and PostgreSQL
// (the scope is SQL).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.js';
import type { AuditEntry } from '../../src/audit/entry.js';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client, type Person } from '../support/auth.js';
import { world, type World } from './fixtures.js';

for (const dialect of DIALECTS) {
  describe(`register scope on ${dialect}`, () => {
    let t: TestApp;
    let w: World;
    let auditorA: Client;
    let supervisorA: Client;
    let platform: Client;
    let operatorA: Person;
    let operatorB: Person;
    let outsider: Person;
    /** Targets of supervision entries about district A, made by people of its city, and about district B. */
    let supervisionA: string[];
    let supervisionB: string[];
    /** Changes to a system of another district that a firm of district A maintains. */
    let maintainedByA: string[];
    const marks = (items: AuditEntry[]) => items.map((e) => e.detail.mark).filter((m): m is string => typeof m === 'string').sort();

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      operatorA = await person(t, 'op-a', [['duty_operator', w.districtA]], { organisationId: w.districtA });
      operatorB = await person(t, 'op-b', [['duty_operator', w.districtB]], { organisationId: w.districtB });
      // Belongs to neither district: an investigator of city B (organisation above district B).
      outsider = await person(t, 'inv-b', [['investigator', w.cityB]], { organisationId: w.cityB });
      auditorA = await signIn(t, await person(t, 'aud-a', [['auditor', w.districtA]], { workId: 'AA1' }));
      supervisorA = await signIn(t, await person(t, 'sup-a', [['supervisor', w.districtA]], { workId: 'SA1' }));
      platform = await signIn(t, await person(t, 'aud-all', [['auditor', null]], { workId: 'AP1' }));
      const who = (p: Person) => [{ userId: p.id, workId: null, name: p.login }];
      const rec = (mark: string, actors: ReturnType<typeof who>, cameraIds: number[], action: 'view' | 'config_change' = 'view') =>
        t.audit.record({ action, actors, cameraIds, outcome: 'success', detail: { mark } });
      await rec('A-views-camA', who(operatorA), [w.camA]);
      await rec('B-views-camB', who(operatorB), [w.camB]);
      await rec('outsider-views-camA', who(outsider), [w.camA]);
      await rec('A-refused-camB', who(operatorA), [w.camB]);
      await rec('outsider-views-camB', who(outsider), [w.camB]);
      await rec('A-changes-settings', who(operatorA), [], 'config_change');
      // Entries whose subject, not actor or camera, lies in a district: a unit renamed, an
      // officer's account changed, by someone of neither district.
      const about = (mark: string, target: string, action: 'registry_change' | 'permission_change') =>
        t.audit.record({ action, actors: who(outsider), target, outcome: 'success', detail: { mark } });
      await about('outsider-renames-unitA', `organisation:${w.unitA} update`, 'registry_change');
      await about('outsider-resets-opA', `user:${operatorA.id}`, 'permission_change');
      await about('outsider-renames-districtB', `organisation:${w.districtB} update`, 'registry_change');
      await t.audit.record({ action: 'login', actors: [{ userId: null, workId: null, name: 'mallory' }], outcome: 'failed', detail: { mark: 'unknown-login' } });
      // Supervision of district A from its city: a system built there, its acceptance, an
      // inspection of its unit; and a system of district B. Through the API, as people do it.
      const cityAdmin = await signIn(t, await person(t, 'adm-city-a', [['unit_administrator', w.cityA]], { organisationId: w.cityA }));
      const citySupervisor = await signIn(t, await person(t, 'sup-city-a', [['supervisor', w.cityA]], { workId: 'SC1', organisationId: w.cityA }));
      const platformAdmin = await signIn(t, await person(t, 'adm-all', [['system_administrator', null]], { workId: 'PA1' }));
      const post = async (c: Client, url: string, payload: object) => {
        const res = await c.inject({ method: 'POST', url: `/api/v1${url}`, payload });
        expect(res.statusCode, res.body).toBe(201);
        return res.json().id as number;
      };
      const sysA = await post(cityAdmin, '/systems', { name: '校园监控', regionId: w.districtA, funding: 'self', userUnitId: w.unitA, managingUnitId: w.unitA });
      const acceptance = await cityAdmin.inject({ method: 'POST', url: `/api/v1/systems/${sysA}/acceptance`, payload: { at: t.clock.now() - 1000, result: 'passed', organisedBy: '市公安局', note: '' } });
      expect(acceptance.statusCode, acceptance.body).toBe(200);
      const inspection = await post(citySupervisor, '/inspections', { unitId: w.unitA });
      const sysB = await post(platformAdmin, '/systems', { name: '医院监控', regionId: w.districtB, funding: 'self', userUnitId: w.unitB });
      // A firm of district A maintains a school's system in the next district of the city.
      const firmA = (await t.registry.organisations.create({ kind: 'unit', name: '安维科技', unitRoles: ['maintainer'], parentId: w.districtA })).id;
      const districtA2 = (await t.registry.organisations.create({ kind: 'platform', name: '包河区', level: 'district', parentId: w.cityA })).id;
      const unitA2 = (await t.registry.organisations.create({ kind: 'unit', name: '第八中学', unitRoles: ['builder', 'user'], parentId: districtA2 })).id;
      const sysA2 = await post(cityAdmin, '/systems', { name: '八中监控', regionId: districtA2, funding: 'self', userUnitId: unitA2, maintainerUnitId: firmA });
      const accepted2 = await cityAdmin.inject({ method: 'POST', url: `/api/v1/systems/${sysA2}/acceptance`, payload: { at: t.clock.now() - 1000, result: 'passed', organisedBy: '市公安局', note: '' } });
      expect(accepted2.statusCode, accepted2.body).toBe(200);
      maintainedByA = [`system:${sysA2} create`, `system:${sysA2} acceptance`];
      supervisionA = [`system:${sysA} create`, `system:${sysA} acceptance`, `inspection:${inspection} start`, ...maintainedByA];
      supervisionB = [`system:${sysB} create`];
    }, 60_000);
    afterAll(() => t.close());

    const all = async (c: Client, query = '') => {
      const items: AuditEntry[] = [];
      let cursor: number | null = null;
      do {
        const res = await c.inject({ url: `/api/v1/audit/entries?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}` });
        expect(res.statusCode, res.body).toBe(200);
        items.push(...res.json().items);
        cursor = res.json().nextCursor;
      } while (cursor);
      return items;
    };

    it('gives a district auditor and supervisor the entries about their district, and nothing outside it', async () => {
      const expected = ['A-changes-settings', 'A-refused-camB', 'A-views-camA', 'outsider-renames-unitA', 'outsider-resets-opA', 'outsider-views-camA'];
      for (const c of [auditorA, supervisorA]) {
        const items = await all(c);
        expect(marks(items)).toEqual(expected);
        const districtUsers = new Set((await t.repos.db.kysely.selectFrom('users').select('id').where('organisation_id', 'in', [w.districtA, w.unitA]).execute()).map((u) => Number(u.id)));
        for (const e of items) {
          const subject = /^(user|organisation):(\d+)/.exec(e.target ?? '');
          const about = e.cameraIds.includes(w.camA) || e.actors.some((a) => a.userId !== null && districtUsers.has(a.userId))
            || (subject?.[1] === 'user' && districtUsers.has(Number(subject[2]))) || (subject?.[1] === 'organisation' && [w.districtA, w.unitA].includes(Number(subject[2])))
            || supervisionA.includes(e.target ?? '');
          expect(about, `entry ${e.seq} (${e.action} ${e.target ?? ''}) is outside district A`).toBe(true);
        }
        // Filters narrow within the scope.
        expect(marks(await all(c, `&cameraId=${w.camA}`))).toEqual(['A-views-camA', 'outsider-views-camA']);
        expect(marks(await all(c, `&actorUserId=${outsider.id}`))).toEqual(['outsider-renames-unitA', 'outsider-resets-opA', 'outsider-views-camA']);
      }
      // The platform-wide auditor sees everything.
      expect(marks(await all(platform))).toEqual([...expected, 'B-views-camB', 'outsider-renames-districtB', 'outsider-views-camB', 'unknown-login'].sort());
    });

    it('gives a district\'s readers the supervision of its systems and units done from above it, and not another district\'s', async () => {
      for (const c of [auditorA, supervisorA]) {
        const targets = (await all(c, '&action=registry_change')).map((e) => e.target);
        for (const target of supervisionA) expect(targets, target).toContain(target);
        for (const target of supervisionB) expect(targets, target).not.toContain(target);
      }
      const everything = (await all(platform, '&action=registry_change')).map((e) => e.target);
      for (const target of [...supervisionA, ...supervisionB]) expect(everything).toContain(target);
      // The city's supervisor, whose own entries they are, finds them by actor as before.
      const bySupervisor = (await t.audit.search({ action: 'registry_change', limit: 1000 })).items.filter((e) => e.actors[0]?.workId === 'SC1');
      expect(bySupervisor.map((e) => e.target)).toEqual([supervisionA[2]]);
    });

    it('gives the readers of a maintenance firm\'s district the changes to a system the firm maintains in another district', async () => {
      for (const c of [auditorA, supervisorA]) {
        const targets = (await all(c, '&action=registry_change')).map((e) => e.target);
        for (const target of maintainedByA) expect(targets, target).toContain(target);
      }
    });

    it('refuses another district\'s camera and the chain as a whole, registering each refusal', async () => {
      const refusedBefore = (await t.audit.search({ action: 'register_access', outcome: 'refused', limit: 1000 })).items.length;
      expect((await auditorA.inject({ url: `/api/v1/audit/entries?cameraId=${w.camB}` })).statusCode).toBe(403);
      expect((await auditorA.inject({ url: `/api/v1/audit/export.csv?cameraId=${w.camB}` })).statusCode).toBe(403);
      expect((await supervisorA.inject({ url: '/api/v1/audit/verify' })).statusCode).toBe(403);
      expect((await supervisorA.inject({ url: '/api/v1/audit/checkpoints' })).statusCode).toBe(403);
      const refused = (await t.audit.search({ action: 'register_access', outcome: 'refused', limit: 1000 })).items;
      expect(refused.length - refusedBefore).toBe(4);
      expect(refused.slice(0, 4).map((e) => e.actors[0]!.workId)).toEqual(['SA1', 'SA1', 'AA1', 'AA1']);
      expect((await platform.inject({ url: '/api/v1/audit/verify' })).json()).toMatchObject({ ok: true });
    });

    it('exports only the district\'s entries as CSV and PDF, and registers the export with its scope', async () => {
      const csv = await auditorA.inject({ url: '/api/v1/audit/export.csv' });
      expect(csv.statusCode).toBe(200);
      expect(csv.body).toContain('A-views-camA');
      expect(csv.body).toContain('outsider-views-camA');
      expect(csv.body).not.toContain('B-views-camB');
      expect(csv.body).not.toContain('outsider-views-camB');
      expect(csv.body).not.toContain('mallory');
      const pdf = await supervisorA.inject({ url: '/api/v1/audit/export.pdf' });
      expect(pdf.statusCode).toBe(200);
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const [last] = (await t.audit.search({ action: 'register_access', outcome: 'success', limit: 1 })).items;
      expect(last!.detail).toMatchObject({ what: 'export pdf' });
      expect(last!.detail.scope).toEqual([expect.stringMatching(/^\/\d+\/\d+\/$/)]);
    });

    it('limits the command line\'s search and export to an organisation\'s subtree with --organisation', async () => {
      const ctx = { db: t.db, clock: t.clock, config: { dataDir: mkdtempSync(join(tmpdir(), 'vigil-cli-scope-')) } };
      const run = async (args: string[]) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on('data', (c: Buffer) => chunks.push(c));
        expect(await auditCommand(ctx, args, out)).toBe(0);
        return Buffer.concat(chunks).toString('utf8');
      };
      const page = JSON.parse(await run(['search', '--organisation', String(w.districtA), '--action', 'view', '--limit', '500', '--json'])) as { items: AuditEntry[] };
      expect(marks(page.items)).toEqual(['A-refused-camB', 'A-views-camA', 'outsider-views-camA']);
      const csv = await run(['export', '--format', 'csv', '--organisation', String(w.districtB), '--action', 'view']);
      expect(csv).toContain('B-views-camB');
      expect(csv).toContain('outsider-views-camB');
      expect(csv).toContain('A-refused-camB');
      expect(csv).not.toContain('A-views-camA');
      await expect(auditCommand(ctx, ['search', '--organisation', '99999'], new PassThrough())).rejects.toThrow(/does not exist/);
    });
  });
}
