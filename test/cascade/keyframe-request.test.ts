// Asking cameras for a keyframe (强制关键帧): the stream hub opening a camera cold asks it at once
// (here ONVIF cameras of the simulator, SetSynchronizationPoint), so the first picture a viewer
// gets is the IDR the camera made on request, not its GOP's next keyframe; and an upper's
// DeviceControl IFameCmd reaches the camera only for a channel shared with it live (else 403).
// Judged by what the camera sent (its count of requests honoured) when the first picture
// arrived, never by time. Real simulator, hub and registering upper; both dialects.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import type { Camera } from '../../src/db/camera.repository.js';
import type { VideoFrame } from '../../src/ingest/source.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';
// 20 s at 25 fps: the cameras' own next keyframe is far off, a request answered well before it.
const GOP = 500;

describe.each(DIALECTS)('keyframe requests (%s)', (dialect) => {
  let t: TestApp;
  let w: World;
  let sim: Simulator;
  let hub: StreamHub;
  let upper: TestUpper | undefined;
  let cascade: CascadeRuntime | undefined;
  let live: Camera;
  let catalogOnly: Camera;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: 2, width: 320, height: 180, bitrateKbps: 300, gop: GOP, staggerGops: true, keyframeOnDemand: true, controlPort: 0 });
    t = await testApp(dialect);
    w = await world(t);
    const base = (await t.repos.cameras.get(w.camA))!;
    const onvif = (name: string) => `${sim.controlUrl!.replace('http', 'onvif')}/onvif/${name}/device_service`;
    live = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000031', name: '点位31', sourceUrl: onvif('cam1') }, t.clock.now());
    catalogOnly = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000032', name: '点位32', sourceUrl: onvif('cam2') }, t.clock.now());
    const head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    const grant = (cameraIds: number[], rights: ('catalog' | 'live')[]) => t.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights, cameraIds, groupIds: [],
      validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕22号',
    });
    await grant([live.id], ['catalog', 'live']);
    await grant([catalogOnly.id], ['catalog']);
    hub = new StreamHub({ sources: t.sources, sourceUrl: async (id) => (await t.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 100 });
  }, 90_000);
  afterAll(async () => {
    await cascade?.close();
    await upper?.close();
    await hub?.close();
    await t?.close();
    await sim?.close();
  });

  /** Watches a camera; resolves with the first picture and what the camera had honoured by then. */
  const firstPicture = (camera: Camera, name: string) => new Promise<{ keyframe: boolean; honoured: number; close: () => void }>((resolve, reject) => {
    let done = false;
    const sub = hub.watch(camera.id, {
      copiesFrames: true,
      onInfo: () => undefined,
      onFrame: (f: VideoFrame) => {
        if (done) return;
        done = true;
        void sub.then((s) => resolve({ keyframe: f.keyframe, honoured: sim.camera(name).keyframesOnDemand, close: () => s.close() }));
      },
    });
    sub.catch(reject);
  });

  it('a camera the hub opens cold is asked for a keyframe, and its first picture is the IDR it made on request', async () => {
    const first = await firstPicture(live, 'cam1');
    try {
      expect(first.keyframe).toBe(true);
      expect(hub.stats().keyframesAsked).toBe(1);
      // The camera's own keyframe is a GOP away: the first picture is the one it made when asked.
      expect(first.honoured).toBe(1);
    } finally {
      first.close();
    }
  }, 60_000);

  it('an upper\'s IFameCmd reaches the camera for a channel shared live, and is refused (403) for one shared for the catalog only', async () => {
    upper = await TestUpper.start(UPPER, 'secret');
    const settings = configSchema.parse({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
    }).cascade;
    const registered = new Promise<void>((r) => upper!.once('registered', () => r()));
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub.watch(id, v), keyframe: (id) => hub.requestKeyframe(id), timers: { T1: 100, T2: 400 } });
    await registered;
    // Both cameras watched (as when their streams go upward), each first picture had.
    const a = await firstPicture(live, 'cam1');
    const b = await firstPicture(catalogOnly, 'cam2');
    try {
      const before = [sim.camera('cam1').keyframesOnDemand, sim.camera('cam2').keyframesOnDemand];
      const asked = hub.stats().keyframesAsked;
      expect(await upper.deviceControl(catalogOnly.gbId!, { IFameCmd: 'Send' })).toBe(403);
      expect(await upper.deviceControl(live.gbId!, { IFameCmd: 'Bogus' })).toBe(400);
      expect(await upper.deviceControl(live.gbId!, { IFameCmd: 'Send' })).toBe(200);
      // Passed on after the answer: wait for the hub to have asked the one camera.
      while (hub.stats().keyframesAsked === asked) await new Promise((r) => setTimeout(r, 20));
      expect(hub.stats().keyframesAsked).toBe(asked + 1);
      while (sim.camera('cam1').keyframesOnDemand === before[0]) await new Promise((r) => setTimeout(r, 20));
      expect(sim.camera('cam2').keyframesOnDemand).toBe(before[1]);
      // The refusal and the request passed on are in the access register, the upper as destination.
      await t.audit.chainPending();
      const about = (outcome: 'refused' | 'success') => t.audit.search({ outcome, limit: 50 }).then((r) => r.items.filter((e) => e.target?.startsWith('keyframe request')));
      expect((await about('refused')).map((e) => e.target)).toEqual([`keyframe request (IFameCmd) of channel ${catalogOnly.gbId}`]);
      expect(await about('success')).toEqual([expect.objectContaining({ target: `keyframe request (IFameCmd) of channel ${live.gbId}`, destination: 'upper platform 合肥市平台' })]);
    } finally {
      a.close();
      b.close();
    }
  }, 60_000);
});
