// The `vigil` command as a user runs it: a real process, a real data folder, both dialects.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliDatabaseUrl, runVigil } from '../support/cli.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`vigil CLI on ${dialect}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    let env: Record<string, string>;
    const vigil = async (...args: string[]) => {
      try {
        const r = await runVigil(args, env, dir);
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, stdout: err.stdout, stderr: err.stderr };
      }
    };

    it('migrates, lists profiles and builds organisations', async () => {
      const url = await cliDatabaseUrl(dialect, 'cli');
      env = { PATH: process.env.PATH ?? '', VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_PROFILE: 'anhui', ...(url ? { VIGIL_DATABASE_URL: url } : {}) };
      expect((await vigil('migrate')).stdout).toMatch(`database is up to date (${dialect})`);
      const profiles = await vigil('profile', 'list');
      expect(profiles.stdout).toMatch(/anhui \*/);
      expect(profiles.stdout).toMatch(/harbin/);
      expect((await vigil('org', 'add', '--kind', 'platform', '--name', '合肥市', '--level', 'city')).stdout).toMatch(/created platform 1/);
      expect((await vigil('org', 'add', '--kind', 'unit', '--name', 'School', '--roles', 'builder,user', '--parent', '1')).stdout).toMatch(/created unit 2/);
      const bad = await vigil('org', 'add', '--kind', 'unit', '--name', 'Orphan', '--roles', 'user');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/parentId/);
    });

    it('imports CSV all or nothing and reports every bad row with its line and field', async () => {
      const header = 'gbId,name,deviceType,address,placeCategory,regionId,funding,signage';
      writeFileSync(
        join(dir, 'bad.csv'),
        [header, '34010000001320000001,A,fixed,Road,schools,1,self,yes', '34010000001320000002,B,fixed,Road,public-toilets,1,self,yes', '340100000013200000,C,fixed,Road,schools,1,self,yes', '34010000001320000004,D,fixed,Road,schools,2,self,yes'].join('\n'),
      );
      const bad = await vigil('camera', 'import', 'bad.csv');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/nothing was imported/);
      expect(bad.stderr).toMatch(/line 3: placeCategory/);
      expect(bad.stderr).toMatch(/line 4: gbId/);
      expect(bad.stderr).toMatch(/line 5: regionId: organisation 2 is a unit/);
      expect((await vigil('camera', 'list')).stdout).toMatch(/0 of 0/);

      writeFileSync(join(dir, 'good.csv'), [header, '34010000001320000001,东门,fixed,1 Road,schools,1,self,yes', '34010000001320000002,West,dome,2 Road,schools,1,government,no'].join('\n'));
      const good = await vigil('camera', 'import', 'good.csv');
      expect(good.stdout).toMatch(/imported 2 camera points/);
      const list = await vigil('camera', 'list', '--q', '东门');
      expect(list.stdout).toMatch(/34010000001320000001/);
      expect(list.stdout).toMatch(/1 of 1/);
    });

    it('exports what it imported', async () => {
      await vigil('camera', 'export', 'out.csv');
      const lines = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(/^34010000001320000001,东门,fixed/);
    });

    it('adds a user whose password must be replaced at the first sign-in, and again after a reset', async () => {
      const added = await vigil('user', 'add', '--login', 'clerk', '--name', 'Clerk', '--org', '2');
      expect(added.stdout).toMatch(/password: \S{12,} \(to be replaced at the first sign-in\)/);
      const row = () => vigil('user', 'list', '--json').then((r) => (JSON.parse(r.stdout) as { login: string; password: string }[]).find((u) => u.login === 'clerk')!);
      expect((await row()).password).toBe('to change');
      expect((await vigil('user', 'passwd', 'clerk')).stdout).toMatch(/new password for clerk: \S{12,} \(to be replaced at the next sign-in\)/);
      expect((await row()).password).toBe('to change');
    });

    it('explains a bad configuration and an unknown command', async () => {
      const bad = await runVigil(['migrate'], { ...env, VIGIL_PROFILE: 'atlantis' }, dir).catch((e) => e);
      expect(bad.stderr).toMatch(/profile "atlantis" does not exist/);
      const unknown = await vigil('frobnicate');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    });
  });
}
