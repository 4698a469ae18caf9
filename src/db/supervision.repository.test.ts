import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { PlatformKeys } from '../audit/platform-key.js';
import { fixedClock } from '../domain/clock.js';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

for (const dialect of DIALECTS) {
  describe(`supervision repository on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let cams: number[];
    let regionId: number;
    let systemId: number;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      cams = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a', 'rtsp://127.0.0.1/b', null], T0);
      regionId = (await repos.cameras.get(cams[0]!))!.regionId;
    });
    afterAll(() => db.close());

    it('keeps a system with its cameras, one system a camera', async () => {
      const s = await repos.supervision.insert('systems', {
        name: 'school', region_id: regionId, funding: 'self', builder_unit_id: null, user_unit_id: null, managing_unit_id: null, maintainer_unit_id: null,
        built_before_rules: 0, rules_effective_at: null, state: 'building', acceptance: null, accepted_at: null, in_service_at: null, removed_at: null, created_at: T0, updated_at: T0,
      });
      systemId = Number(s.id);
      await repos.supervision.attachCameras(systemId, [cams[0]!, cams[1]!]);
      expect(await repos.supervision.cameraIdsOf(systemId)).toEqual([cams[0], cams[1]]);
      await expect(repos.supervision.attachCameras(systemId, [cams[0]!])).rejects.toThrow();
      expect([...(await repos.supervision.systemOfCameras(cams)).entries()]).toEqual([[cams[0], systemId], [cams[1], systemId]]);
      await repos.supervision.detachCameras(systemId, [cams[1]!]);
      expect(await repos.supervision.cameraIdsOf(systemId)).toEqual([cams[0]]);
      const region = (await repos.organisations.get(regionId))!;
      expect((await repos.supervision.systems({ regionPaths: [region.path] })).map((x) => x.id)).toEqual([systemId]);
      expect(await repos.supervision.systems({ regionPaths: ['/999/'] })).toEqual([]);
      expect(await repos.supervision.systems({ regionPaths: [] })).toEqual([]);
    });

    it('updates only while in the expected state', async () => {
      expect(await repos.supervision.update('systems', systemId, { state: 'in_service', in_service_at: T0 }, undefined, 'building')).toBe(true);
      expect(await repos.supervision.update('systems', systemId, { state: 'in_service' }, undefined, 'building')).toBe(false);
      expect((await repos.supervision.get('systems', systemId))!).toMatchObject({ state: 'in_service', in_service_at: T0 });
    });

    it('reads how far back footage reaches and when it came back, from the recording index', async () => {
      const file = await repos.recordings.createFile({ cameraId: cams[0]!, path: 'a/1.mp4', codec: 'avc1', width: 640, height: 360, initSize: 700, startedAt: T0 });
      const frag = (seq: number, start: number) => ({ fileId: file.id, cameraId: cams[0]!, seq, byteOffset: 700 + seq * 10, size: 10, startMs: start, endMs: start + 1000, keyframe: true, samples: 25, sha256: '0'.repeat(64) });
      await repos.recordings.commit({ fragments: [frag(0, T0), frag(1, T0 + 50_000)], fileProgress: [{ fileId: file.id, endedAt: T0 + 51_000, bytes: 720 }], events: [] });
      expect([...(await repos.recordingIndex.oldestRecorded(cams)).entries()]).toEqual([[cams[0], T0]]);
      expect(await repos.recordingIndex.firstRecordedAfter([cams[0]!, cams[1]!], T0 + 1)).toBe(T0 + 50_000);
      expect(await repos.recordingIndex.firstRecordedAfter([cams[1]!], T0)).toBeNull();
    });

    it('counts register entries by camera and the newest day of health figures', async () => {
      const audit = new AuditLog(db, { keys: PlatformKeys.ephemeral(), clock: fixedClock(T0) });
      await audit.record({ action: 'view', actors: [{ userId: 1, workId: null, name: 'x' }], cameraIds: [cams[0]!], outcome: 'success' });
      await audit.record({ action: 'view', actors: [{ userId: 1, workId: null, name: 'x' }], cameraIds: [cams[0]!, cams[1]!], outcome: 'success' });
      expect(await repos.supervision.registerEntries([cams[0]!, cams[1]!])).toBe(2);
      expect(await repos.supervision.registerEntries([cams[2]!])).toBe(0);
      expect(await repos.supervision.goodRate(cams)).toBeNull();
      const day = (d: string, camera: number, good: number) => ({ day: d, camera_id: camera, region_id: regionId, unit_id: null, online_ms: 1, total_ms: 1, good });
      await repos.health.saveDaily([day('2026-02-27', cams[0]!, 0), day('2026-02-27', cams[1]!, 0)]);
      await repos.health.saveDaily([day('2026-02-28', cams[0]!, 1), day('2026-02-28', cams[1]!, 0)]);
      expect(await repos.supervision.goodRate(cams)).toEqual({ day: '2026-02-28', good: 1, total: 2 });
    });

    it('gives complaints only to supervisors of the region they are about', async () => {
      const region = (await repos.organisations.get(regionId))!;
      const base = { received_at: T0, about: 'x', text: 't', name: null, contact: null, source_address: null, state: 'received', handled_at: null, handled_by: null, outcome: null };
      const mine = await repos.supervision.insert('complaints', { ...base, region_id: regionId });
      const none = await repos.supervision.insert('complaints', { ...base, region_id: null });
      expect((await repos.supervision.complaints([region.path])).map((c) => c.id)).toEqual([mine.id]);
      expect((await repos.supervision.complaints([''])).map((c) => c.id)).toEqual([none.id, mine.id]);
      expect(await repos.supervision.complaints(['/999/'])).toEqual([]);
    });
  });
}
