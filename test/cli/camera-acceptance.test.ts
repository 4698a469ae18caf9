// `vigil camera update` as a user runs it: a camera of a government system that has not passed
// acceptance is not recorded as in service from the command line either (NOT_ACCEPTED, with
// AH-13 under the Anhui profile); once the system passes, the same change goes through.
// The system and its acceptance are set up through the repositories: the command line has no
// system commands, the console and the API do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliDatabaseUrl, runVigil } from '../support/cli.js';
import { loadConfig } from '../../src/config/config.js';
import { openContext, type Context } from '../../src/services/context.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`vigil camera update on ${dialect}`, () => {
    it('refuses to record a camera of an unaccepted system as in service, then allows it once accepted', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-gate-'));
      const url = await cliDatabaseUrl(dialect, 'cli_gate');
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_PROFILE: 'national', VIGIL_LOG_LEVEL: 'warn', ...(url ? { VIGIL_DATABASE_URL: url } : {}) };
      const vigil = async (...args: string[]) => {
        try {
          const r = await runVigil(args, env, dir);
          return { code: 0, stdout: r.stdout, stderr: r.stderr };
        } catch (e) {
          const err = e as { code: number; stdout: string; stderr: string };
          return { code: err.code, stdout: err.stdout, stderr: err.stderr };
        }
      };
      const withContext = async <T,>(fn: (ctx: Context) => Promise<T>): Promise<T> => {
        const ctx = await openContext(loadConfig({ env, cwd: dir }));
        try {
          return await fn(ctx);
        } finally {
          await ctx.close();
        }
      };

      const { cameraId, systemId } = await withContext(async (ctx) => {
        const city = await ctx.registry.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100', profileId: 'anhui' });
        const school = await ctx.registry.organisations.create({ kind: 'unit', name: '第一中学', unitRoles: ['user'], parentId: city.id });
        const camera = await ctx.registry.cameras.register({
          gbId: '34010000001320000001', name: '东门', deviceType: 'dome', longitude: null, latitude: null, address: '长江路1号', directionDeg: null, fovDeg: null,
          placeCategory: ctx.rules.mandatoryCategories('anhui')[0]!.id, keyPosition: true, regionId: city.id, ownerUnitId: school.id, userUnitId: school.id,
          managingUnitId: null, maintainerUnitId: null, funding: 'government', signage: true, inServiceDate: null, status: 'planned', sourceUrl: null,
        });
        const now = Date.now();
        const system = await ctx.repos.supervision.insert('systems', {
          name: '校园监控', region_id: city.id, funding: 'government', builder_unit_id: null, user_unit_id: school.id, managing_unit_id: null, maintainer_unit_id: null,
          built_before_rules: 0, rules_effective_at: null, state: 'building', acceptance: null, accepted_at: null, in_service_at: null, removed_at: null, created_at: now, updated_at: now,
        });
        await ctx.repos.supervision.attachCameras(system.id, [camera.id]);
        return { cameraId: camera.id, systemId: Number(system.id) };
      });

      writeFileSync(join(dir, 'live.json'), JSON.stringify({ status: 'in_service', inServiceDate: '2026-11-01' }));
      const refused = await vigil('camera', 'update', String(cameraId), '--json', 'live.json');
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(/has not passed acceptance/);
      expect(refused.stderr).toContain('[AH-13]');
      expect((await vigil('camera', 'show', String(cameraId))).stdout).toContain('"status": "planned"');

      await withContext((ctx) => ctx.repos.supervision.update('systems', systemId, { acceptance: 'passed', accepted_at: Date.now(), updated_at: Date.now() }));
      const allowed = await vigil('camera', 'update', String(cameraId), '--json', 'live.json');
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toMatch(/updated camera \d+ \(34010000001320000001\): in_service/);
    }, 120_000);
  });
}
