import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const T = Date.UTC(2026, 10, 2);

for (const dialect of DIALECTS) {
  describe(`health repository (${dialect})`, () => {
    let db: Db;
    let repos: Repositories;
    let cams: number[];
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      cams = await seedRecordableCameras(repos, ['rtsp://127.0.0.1:1/a', 'rtsp://127.0.0.1:1/b', null], T - 86_400_000);
    });
    afterAll(async () => db?.close());

    it('reads link events in a window with the state before it, keyframes and the end of recorded data', async () => {
      const [a, b] = cams as [number, number];
      const file = await repos.recordings.createFile({ cameraId: a, path: `recordings/${a}/x.mp4`, codec: 'avc1', width: 1280, height: 720, initSize: 700, startedAt: T });
      const frag = (seq: number, keyframe: boolean) => ({ fileId: file.id, cameraId: a, seq, byteOffset: 700 + seq * 1000, size: 1000, startMs: T + seq * 1000, endMs: T + seq * 1000 + 1000, keyframe, samples: 25, sha256: 'x'.repeat(64) });
      await repos.recordings.commit({
        fragments: [frag(0, true), frag(1, false), frag(2, true)],
        fileProgress: [{ fileId: file.id, endedAt: T + 3000, bytes: 3700 }],
        events: [
          { cameraId: a, kind: 'connected', startMs: T - 5000, endMs: null, detail: '' },
          { cameraId: a, kind: 'disconnected', startMs: T + 4000, endMs: null, detail: 'x' },
          { cameraId: a, kind: 'gap', startMs: T + 4100, endMs: T + 5000, detail: '' },
          { cameraId: b, kind: 'connected', startMs: T + 100, endMs: null, detail: '' },
        ],
      });
      const { before, events } = await repos.recordingIndex.linkEvents([a, b], T, T + 10_000);
      expect(before.get(a)).toEqual({ cameraId: a, kind: 'connected', atMs: T - 5000 });
      expect(before.has(b)).toBe(false);
      expect(events).toEqual([
        { cameraId: b, kind: 'connected', atMs: T + 100 },
        { cameraId: a, kind: 'disconnected', atMs: T + 4000 },
      ]);
      const keys = await repos.recordingIndex.latestKeyframes(a, 5);
      expect(keys.map((k) => k.startMs)).toEqual([T + 2000, T]);
      expect(keys[0]).toMatchObject({ path: file.path, initSize: 700, byteOffset: 2700, size: 1000 });
      expect((await repos.recordingIndex.lastDataEnd([a, b])).get(a)).toBe(T + 3000);
      expect(await repos.recordingIndex.recordedIntervals(a, T + 1000, T + 2000)).toEqual([{ startMs: T, endMs: T + 3000 }]);
      expect((await repos.health.watchedCameras()).map((c) => c.id)).toEqual(cams);
    });

    it('keeps the newest diagnostic per camera at an instant, and references', async () => {
      const [a, b] = cams as [number, number];
      for (const [cam, at, ok] of [[a, T, true], [a, T + 10, false], [b, T + 5, true]] as const) {
        await repos.health.insertDiagnostic({ camera_id: cam, at, source: 'recording', ok, findings: '[]', measures: '{}', snapshot: null });
      }
      const latest = await repos.health.latestDiagnostics([a, b], T + 7);
      expect(latest.get(a)!.at).toBe(T);
      expect(latest.get(a)!.ok).toBe(true);
      expect(latest.get(b)!.at).toBe(T + 5);
      expect((await repos.health.latestDiagnostics([a], T + 10)).get(a)!.ok).toBe(false);
      await repos.health.setReference({ camera_id: a, signature: 'AA', snapshot: null, set_at: T, set_by: null, reason: 'first' });
      await repos.health.setReference({ camera_id: a, signature: 'BB', snapshot: null, set_at: T + 1, set_by: 3, reason: 'approved' });
      expect(await repos.health.reference(a)).toMatchObject({ signature: 'BB', reason: 'approved' });
    });

    it('moves work orders only from the state they are in; one active order per camera', async () => {
      const [a] = cams as [number];
      const o = await repos.workOrders.insertWorkOrder({
        camera_id: a, maintainer_unit_id: null, cause: 'municipal_damage', state: 'open', opened_at: T, opened_by: null, due_at: T + 1000,
        deadline_hours: 72, deadline_article: 'HRB-30', deadline_basis: 'x', profile_id: 'harbin', findings: '[]', diagnostic_id: null,
      });
      expect((await repos.workOrders.activeWorkOrder(a))!.id).toBe(o.id);
      expect((await repos.workOrders.overdueWorkOrders(T + 1001)).map((w) => w.id)).toEqual([o.id]);
      expect(await repos.workOrders.transitionWorkOrder(o.id, 'open', { state: 'escalated', escalated_at: T + 1001 })).toBe(true);
      expect(await repos.workOrders.transitionWorkOrder(o.id, 'open', { state: 'escalated' })).toBe(false);
      expect(await repos.workOrders.countWorkOrders()).toEqual([{ state: 'escalated', overdue: true, count: 1 }]);
      expect(await repos.workOrders.transitionWorkOrder(o.id, 'escalated', { state: 'closed', closed_at: T + 2000 })).toBe(true);
      expect(await repos.workOrders.activeWorkOrder(a)).toBeUndefined();
      expect((await repos.workOrders.workOrders({ cameraIds: [], limit: 10, offset: 0 }))).toEqual([]);
    });

    it('finds orders due for their next escalation step and moves them one level at a time', async () => {
      const [, b] = cams as [number, number];
      const o = await repos.workOrders.insertWorkOrder({
        camera_id: b, maintainer_unit_id: null, cause: 'fault', state: 'open', opened_at: T, opened_by: null, due_at: T + 1000, deadline_hours: 24, deadline_article: null,
        deadline_basis: 'x', profile_id: 'harbin', findings: '[]', diagnostic_id: null, respond_by: T + 100, police_due_at: T + 2000, managing_unit_id: 7, region_id: 3, plan: '{"cause":"fault"}',
      });
      expect(o).toMatchObject({ escalation_level: 0, respond_by: T + 100, police_due_at: T + 2000, managing_unit_id: 7, region_id: 3, responded_at: null, plan: '{"cause":"fault"}' });
      expect(await repos.workOrders.escalationCandidates(T + 100)).toEqual([]);
      expect((await repos.workOrders.escalationCandidates(T + 101)).map((x) => x.id)).toEqual([o.id]);
      expect(await repos.workOrders.respondToWorkOrder(o.id, 5, T + 50)).toBe(true);
      expect(await repos.workOrders.respondToWorkOrder(o.id, 6, T + 60)).toBe(false);
      expect(await repos.workOrders.escalationCandidates(T + 999)).toEqual([]);
      expect((await repos.workOrders.escalationCandidates(T + 1001)).map((x) => x.id)).toEqual([o.id]);
      expect(await repos.workOrders.escalateWorkOrder(o.id, 0, { escalation_level: 1, escalated_at: T + 1001 })).toBe(true);
      expect(await repos.workOrders.escalateWorkOrder(o.id, 0, { escalation_level: 1, escalated_at: T + 1002 })).toBe(false);
      expect(await repos.workOrders.escalationCandidates(T + 2000)).toEqual([]);
      expect((await repos.workOrders.escalationCandidates(T + 2001)).map((x) => x.id)).toEqual([o.id]);
      expect(await repos.workOrders.escalateWorkOrder(o.id, 1, { escalation_level: 2, police_escalated_at: T + 2001 })).toBe(true);
      expect(await repos.workOrders.workOrder(o.id)).toMatchObject({ state: 'escalated', escalation_level: 2, escalated_at: T + 1001, police_escalated_at: T + 2001, responded_by: 5 });
      expect(await repos.workOrders.escalationCandidates(T + 99_999)).toEqual([]);
      expect(await repos.workOrders.transitionWorkOrder(o.id, 'escalated', { state: 'closed', closed_at: T + 3000 })).toBe(true);
    });

    it('alarms, acknowledged once; daily roll-ups replaced per day and camera', async () => {
      const a1 = await repos.health.insertAlarm({ at: T, kind: 'finding', severity: 'warning', camera_id: cams[0]!, organisation_id: null, title: 't', detail: '{}', snapshot: null, clip_from: null, clip_to: null, reported_by: null, work_order_id: null });
      const a2 = await repos.health.insertAlarm({ at: T + 1, kind: 'storage', severity: 'critical', camera_id: null, organisation_id: null, title: 'disk', detail: '{}', snapshot: null, clip_from: null, clip_to: null, reported_by: null, work_order_id: null });
      expect((await repos.health.alarms({ afterId: a1.id, limit: 10 })).map((x) => x.id)).toEqual([a2.id]);
      expect(await repos.health.acknowledgeAlarm(a1.id, 1, T + 5)).toBe(true);
      expect(await repos.health.acknowledgeAlarm(a1.id, 2, T + 6)).toBe(false);
      const row = { day: '2026-11-02', camera_id: cams[0]!, region_id: 1, unit_id: null, online_ms: 5, total_ms: 10, good: 1 };
      await repos.health.saveDaily([row]);
      await repos.health.saveDaily([{ ...row, online_ms: 7 }]);
      expect(await repos.health.daily(['2026-11-02'])).toEqual([{ ...row, online_ms: 7, excluded_ms: 0, excused: 0 }]);
    });
  });
}
