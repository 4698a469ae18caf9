// With several API processes over one database (issue 22), an export or a release's masking
// another live process runs is not failed when this one starts or beats; once its process stops
// renewing it, it is failed once, by one process, and only then is its folder removed. SQLite and
// PostgreSQL; the other processes are services over the same tables with holders of other hosts.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { SecurityLog } from '../../src/access/security-log.js';
import { ExportService } from '../../src/export/export.service.js';
import { ReleaseService } from '../../src/release/release.service.js';
import { DIALECTS } from '../support/databases.js';
import { releaseWorld, sharedMasker, type ReleaseWorld } from '../release/release-world.js';

const OTHER = 'api-b:11:bbbbbbbb';
const SILENT = 3 * 5000 + 1;

for (const dialect of DIALECTS) {
  describe(`jobs of several API processes (${dialect})`, () => {
    let x: ReleaseWorld;
    afterAll(async () => {
      await x?.t.close();
    });

    it('fails an export or a masking only once its process stopped renewing it, once, and then removes its folder', async () => {
      x = await releaseWorld(dialect);
      const { t } = x;
      // Two more API processes on other hosts, built as the API builds its own.
      const common = {
        repos: t.repos, access: t.access, log: new SecurityLog(t.audit), merkle: t.evidence.merkle, keys: t.audit.keys, clock: t.clock,
        logger: pino({ level: 'silent' }), dataDir: t.dataDir, absolute: (p: string) => t.evidence.store.absolute(p),
      };
      const exportsOn = (host: string) => new ExportService({ ...common, holder: { self: `${host}:12:cccccccc`, host } });
      const releasesOn = (host: string) => new ReleaseService({ ...common, masker: sharedMasker, profile: (id) => t.catalogue.require(id), holder: { self: `${host}:13:dddddddd`, host } });
      const [ec, ed] = [exportsOn('api-c'), exportsOn('api-d')];
      const [rc, rd] = [releasesOn('api-c'), releasesOn('api-d')];
      const now = t.clock.now();
      const requestId = await x.request();
      const exp = await t.repos.evidenceExports.insertExport({
        request_id: requestId, camera_id: x.w.camA, range_from: x.range.from, range_to: x.range.to, state: 'running', bytes_total: 9, bytes_done: 0,
        path: 'exports/0', manifest_sha256: null, error: null, created_by: t.adminId, created_at: now, finished_at: null, holder: OTHER, alive_at: now,
      });
      const expPath = `exports/${exp.id}`;
      await t.repos.evidenceExports.updateExport(Number(exp.id), { path: expPath });
      mkdirSync(join(t.dataDir, `${expPath}.partial`), { recursive: true });
      const rel = await t.repos.releases.insert({
        request_id: requestId, camera_id: x.w.camA, range_from: x.range.from, range_to: x.range.to, state: 'masking', style: 'solid', manual: '[]', removed_tracks: '[]', tracks: '[]',
        frames_total: 0, frames_done: 0, runs: 1, caption: null, caption_profile: null, path: `releases/0`, file_sha256: null, manifest_sha256: null, error: null,
        created_by: t.adminId, created_at: now, updated_at: now, approved_by: null, approved_at: null, holder: OTHER, alive_at: now,
      });
      const work = join(t.dataDir, 'releases', `.work-${rel.id}-abc`);
      mkdirSync(work, { recursive: true });

      // Renewed a moment ago, and renewed again: nobody fails them, their folders stay.
      t.clock.advance(SILENT - 1);
      for (const s of [ec, x.releases, rc]) expect(await s.recover()).toBe(0);
      expect(await t.evidence.exports.recover()).toBe(0);
      await t.repos.evidenceExports.renew([Number(exp.id)], OTHER, t.clock.now());
      await t.repos.releases.renew([rel.id], OTHER, t.clock.now());
      t.clock.advance(SILENT - 1);
      expect(await ec.recover()).toBe(0);
      expect(await rc.recover()).toBe(0);
      expect((await t.repos.evidenceExports.export(Number(exp.id)))!.state).toBe('running');
      expect((await t.repos.releases.get(rel.id))!.state).toBe('masking');
      expect(existsSync(join(t.dataDir, `${expPath}.partial`))).toBe(true);
      expect(existsSync(work)).toBe(true);

      // Silent past three heartbeats: two processes look at once, one fails each job.
      t.clock.advance(2);
      expect((await Promise.all([ec.recover(), ed.recover()])).reduce((a, b) => a + b, 0)).toBe(1);
      expect((await Promise.all([rc.recover(), rd.recover()])).reduce((a, b) => a + b, 0)).toBe(1);
      expect(await t.evidence.exports.recover()).toBe(0);
      expect(await x.releases.recover()).toBe(0);
      expect(await t.repos.evidenceExports.export(Number(exp.id))).toMatchObject({ state: 'failed', error: expect.stringMatching(/^interrupted/) });
      expect(await t.repos.releases.get(rel.id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/^interrupted/) });
      expect(existsSync(join(t.dataDir, `${expPath}.partial`))).toBe(false);
      expect(existsSync(work)).toBe(false);
      // A late renewal does not bring them back.
      await t.repos.evidenceExports.renew([Number(exp.id)], OTHER, t.clock.now());
      await t.repos.releases.renew([rel.id], OTHER, t.clock.now());
      expect((await t.repos.evidenceExports.export(Number(exp.id)))!.state).toBe('failed');
      expect((await t.repos.releases.get(rel.id))!.state).toBe('failed');
    }, 180_000);
  });
}
