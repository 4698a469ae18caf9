// Cameras kept open for the upper platforms (cascade.keepOpen): with 'key-positions', the cameras
// marked key positions among those shared live with a registered upper are watched in the stream
// hub before any INVITE, so the hub holds their GOP; a camera no longer shared live, or no longer a
// key position, is let go. Real simulator cameras,
// a real hub, a real upper registering; both dialects.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { camerasToKeepOpen } from '../../src/cascade/keep-open.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import type { Camera } from '../../src/db/camera.repository.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

describe('the cameras to keep open, the pure choice', () => {
  const shared = [{ id: 1, keyPosition: true }, { id: 2, keyPosition: false }];
  it('keeps none, the key positions, or every camera shared live, as the setting says', () => {
    expect([...camerasToKeepOpen('none', shared)]).toEqual([]);
    expect([...camerasToKeepOpen('key-positions', shared)]).toEqual([1]);
    expect([...camerasToKeepOpen('live-shared', shared)]).toEqual([1, 2]);
  });
});

describe.each(DIALECTS)('keeping key positions open for an upper platform (%s)', (dialect) => {
  let t: TestApp;
  let w: World;
  let sim: Simulator;
  let hub: StreamHub;
  let upper: TestUpper | undefined;
  let cascade: CascadeRuntime | undefined;
  let head: Actor;
  let key: Camera;
  let plain: Camera;
  let catalogOnly: Camera;
  let liveShare: number;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: 3, width: 320, height: 240, bitrateKbps: 300, lingerMs: 300 });
    t = await testApp(dialect);
    w = await world(t);
    const base = (await t.repos.cameras.get(w.camA))!;
    const add = (n: number, keyPosition: boolean) => t.repos.cameras.insert({ ...base, gbId: `3401040000132000002${n}`, name: `点位${n}`, sourceUrl: sim.urls[n]!, keyPosition }, t.clock.now());
    key = await add(0, true);
    plain = await add(1, false);
    catalogOnly = await add(2, true);
    head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    const grant = (cameraIds: number[], rights: ('catalog' | 'live')[]) => t.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights, cameraIds, groupIds: [],
      validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕21号',
    });
    liveShare = (await grant([key.id, plain.id], ['catalog', 'live'])).id;
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

  /** Whether the hub runs a feed of the camera with a viewer, and has described it. */
  const watched = (c: Camera) => (hub.feed(`camera:${c.id}`)?.viewerCount ?? 0) > 0;

  it('keeps the key position shared live with the registered upper, described and held in the hub; lets go of what stops qualifying', async () => {
    upper = await TestUpper.start(UPPER, 'secret');
    const settings = configSchema.parse({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', keepOpen: 'key-positions', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
    }).cascade;
    const registered = new Promise<void>((r) => upper!.once('registered', () => r()));
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub.watch(id, v), timers: { T1: 100, T2: 400 }, keepOpenRecheckMs: 600_000 });
    const link = [...cascade.links.values()][0]!;
    await registered;
    while (link.state !== 'registered') await new Promise((r) => link.once('state', r));
    await cascade.keepOpen.refresh();
    // The key position shared live; not the plain camera, nor the key position shared for the catalog only.
    expect(cascade.keepOpen.cameras).toEqual([key.id]);
    expect([watched(key), watched(plain), watched(catalogOnly)]).toEqual([true, false, false]);
    // The hub opens it with nobody else watching: it is described (and holds its GOP for an INVITE).
    await hub.feed(`camera:${key.id}`)!.ready(20_000);

    // The plain camera marked a key position joins; the key position unmarked leaves.
    const fields = ({ id: _i, createdAt: _c, updatedAt: _u, ...f }: Camera) => f;
    await t.repos.cameras.update(plain.id, { ...fields(plain), keyPosition: true }, t.clock.now() + 1);
    await t.repos.cameras.update(key.id, { ...fields(key), keyPosition: false }, t.clock.now() + 1);
    await cascade.keepOpen.refresh();
    expect(cascade.keepOpen.cameras).toEqual([plain.id]);
    expect([watched(key), watched(plain)]).toEqual([false, true]);

    // The live share revoked: nothing is kept, without waiting for the next look (ten minutes here).
    await t.shares.revoke(head, liveShare, '协议终止');
    while (cascade.keepOpen.cameras.length) await new Promise((r) => setTimeout(r, 20));
    expect(cascade.keepOpen.cameras).toEqual([]);
    expect(watched(plain)).toBe(false);
  }, 90_000);
});
