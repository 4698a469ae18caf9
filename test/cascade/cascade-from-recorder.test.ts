// Forwarding upward a camera this process records (issue 19): the cascade role's stream hub takes
// the recorder's own session (its access units) instead of opening the camera a second time, so
// the camera keeps one RTSP viewer — the recorder — while the upper receives its video as PS over
// RTP. Without the recorder role the cascade opens the camera itself, as before. The roles are
// started as `vigil serve` starts them (services/roles.ts), on SQLite and on PostgreSQL (where the
// recorder holds the camera by its lease). The api and cascade roles of one process share one
// stream hub (services/process-hub.ts). Judged by the simulator's count of RTSP viewers and by
// the pictures received, in order; no timing margins.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { loadConfig } from '../../src/config/config.js';
import { openContext, type Context } from '../../src/services/context.js';
import { joinProcessHub } from '../../src/services/process-hub.js';
import { startRoles } from '../../src/services/roles.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { DIALECTS, freshPostgresUrl } from '../support/databases.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { psReceiver } from './ps-receiver.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(DIALECTS)('forwarding a camera recorded in this process (%s)', (dialect) => {
  let sim: Simulator;
  let ctx: Context;
  let upper: TestUpper;
  let channel: string;
  let cameraId: number;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: 1, width: 320, height: 180, bitrateKbps: 300, lingerMs: 100 });
    upper = await TestUpper.start(UPPER, 'secret');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cascade-recorded-'));
    ctx = await openContext(loadConfig({
      env: {
        VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_LOG_LEVEL: 'warn', VIGIL_CAMERA_NETWORKS: '127.0.0.1/32',
        ...(dialect === 'postgres' ? { VIGIL_DATABASE_URL: await freshPostgresUrl(), VIGIL_NODE_ID: 'lower-1' } : {}),
      },
      cwd: dir,
      overrides: {
        cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
      },
    }));
    const [id] = await seedRecordableCameras(ctx.repos, sim.urls);
    const camera = (await ctx.repos.cameras.get(id!))!;
    channel = camera.gbId;
    cameraId = camera.id;
    const admin = (await ctx.repos.accounts.userByLogin('admin'))!;
    const head = new Actor({ userId: admin.id, login: 'admin', displayName: 'admin', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    await ctx.shares.grant(head, {
      organisationId: camera.regionId, recipient: { kind: 'platform', ref: UPPER }, recipientName: '市平台', rights: ['catalog', 'live'], cameraIds: [id!], groupIds: [],
      validFrom: Date.now() - 1000, validTo: Date.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕31号',
    });
  }, 90_000);
  afterAll(async () => {
    await upper?.close();
    await ctx?.close();
    await sim?.close();
  });

  const viewers = () => sim.camera(sim.names[0]!).viewers;

  it('sends the recorder session\'s pictures upward: the camera keeps one viewer', async () => {
    const registered = new Promise<void>((r) => upper.once('registered', () => r()));
    const roles = await startRoles(ctx, ['cascade', 'recorder']);
    const rx = await psReceiver();
    try {
      await registered;
      await until('the recorder to receive the camera', () => viewers() === 1);
      const { dialog } = await upper.play(LOWER, channel, rx.port);
      await rx.got(30);
      expect(rx.units[0]!.keyframe).toBe(true);
      expect(rx.units[0]!.codec).toBe('h264');
      expect(rx.units[0]!.nalus.map((n) => n[0]! & 0x1f)).toEqual(expect.arrayContaining([7, 8, 5]));
      const pts = rx.units.map((u) => u.pts);
      expect(pts).toEqual([...pts].sort((a, b) => a - b));
      // Thirty pictures later the camera still has the recorder's connection only.
      expect(viewers()).toBe(1);
      await dialog.bye();
    } finally {
      rx.socket.close();
      await roles.close();
    }
  }, 90_000);

  it('without the recorder role the cascade opens the camera itself', async () => {
    await until('the recorder\'s connection to end', () => viewers() === 0);
    const registered = new Promise<void>((r) => upper.once('registered', () => r()));
    const roles = await startRoles(ctx, ['cascade']);
    const rx = await psReceiver();
    try {
      await registered;
      expect(viewers()).toBe(0);
      const { dialog } = await upper.play(LOWER, channel, rx.port);
      await rx.got(10);
      expect(rx.units[0]!.keyframe).toBe(true);
      expect(viewers()).toBe(1);
      await dialog.bye();
    } finally {
      rx.socket.close();
      await roles.close();
    }
  }, 90_000);

  it('the api and cascade roles of one process share its stream hub: a camera both watch is opened once', async () => {
    await until('the cascade\'s connection to end', () => viewers() === 0);
    const registered = new Promise<void>((r) => upper.once('registered', () => r()));
    const roles = await startRoles(ctx, ['api', 'cascade']);
    const rx = await psReceiver();
    // Another user of the process's hub (live view, say) watches the camera first.
    const mine = joinProcessHub(ctx);
    let frames = 0;
    const sub = await mine.hub.watch(cameraId, { onInfo: () => undefined, onFrame: () => void frames++ });
    try {
      await registered;
      await until('the camera to be watched', () => viewers() === 1 && frames > 0);
      const { dialog } = await upper.play(LOWER, channel, rx.port);
      await rx.got(10);
      expect(rx.units[0]!.keyframe).toBe(true);
      // The cascade joined the same feed: the camera still has one connection.
      expect(viewers()).toBe(1);
      await dialog.bye();
    } finally {
      rx.socket.close();
      await roles.close();
    }
    // The roles left the hub without closing it: the feed still runs for its other user.
    const before = frames;
    await until('frames after the roles stopped', () => frames > before + 5);
    expect(viewers()).toBe(1);
    sub.close();
    await mine.leave();
    await until('the last user\'s leaving to close the camera', () => viewers() === 0);
  }, 90_000);
});
