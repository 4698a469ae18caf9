// Live video upward (issue 19): the upper's INVITE Play for a shared channel is answered and PS
// over RTP/UDP flows from the stream hub (read back with the project's RTP-PS reader: H.264
// pictures, a keyframe first); start and end are registered with the upper as destination;
// revoking the share ends the stream with a BYE from Vigil at once. A channel shared for the
// catalog only is refused. Real simulated camera over RTSP, real sockets.
import { createConnection } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { Rfc4571Decoder } from '../../src/media/ps/rfc4571.js';
import { RtpPsDepacketizer } from '../../src/media/ps/rtp-ps.js';
import type { PsAccessUnit } from '../../src/media/ps/video-assembler.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { psReceiver } from './ps-receiver.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

describe('live video to an upper platform', () => {
  let t: TestApp;
  let w: World;
  let sim: Simulator;
  let hub: StreamHub;
  let upper: TestUpper;
  let cascade: CascadeRuntime;
  let head: Actor;
  let liveShare: number;
  let catalogOnly: string;
  let channel: string;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: 2, width: 320, height: 240, bitrateKbps: 300, lingerMs: 300 });
    t = await testApp('sqlite');
    w = await world(t);
    const base = (await t.repos.cameras.get(w.camA))!;
    const live = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000011', name: '东门', sourceUrl: sim.urls[0]! }, t.clock.now());
    const other = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000012', name: '西门', sourceUrl: sim.urls[1]! }, t.clock.now());
    channel = live.gbId;
    catalogOnly = other.gbId;
    head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    const grant = (cameraIds: number[], rights: ('catalog' | 'live')[]) => t.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights, cameraIds, groupIds: [],
      validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕17号',
    });
    liveShare = (await grant([live.id], ['catalog', 'live'])).id;
    await grant([other.id], ['catalog']);
    hub = new StreamHub({ sources: t.sources, sourceUrl: async (id) => (await t.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 200 });
    upper = await TestUpper.start(UPPER, 'secret');
    const settings = configSchema.parse({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
    }).cascade;
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub.watch(id, v), timers: { T1: 100, T2: 400 } });
    await new Promise<void>((r) => upper.once('registered', () => r()));
  }, 90_000);
  afterAll(async () => {
    await cascade?.close();
    await upper?.close();
    await hub?.close();
    await t?.close();
    await sim?.close();
  });

  it('refuses live video of a channel shared for the catalog only, and registers it', async () => {
    const rx = await psReceiver();
    try {
      await expect(upper.play(LOWER, catalogOnly, rx.port)).rejects.toThrow(/403/);
      await t.audit.chainPending();
      const refused = (await t.audit.search({ outcome: 'refused', action: 'view', limit: 10 })).items;
      expect(refused).toEqual([expect.objectContaining({ target: `INVITE Play of channel ${catalogOnly}`, reason: expect.stringContaining('does not grant live'), destination: 'upper platform 合肥市平台' })]);
    } finally {
      rx.socket.close();
    }
  });

  it('sends PS over RTP from the hub; revoking the share ends it with our BYE at once, start and end registered', async () => {
    const rx = await psReceiver();
    try {
      const { dialog, response } = await upper.play(LOWER, channel, rx.port);
      expect(response.body.toString()).toMatch(/a=sendonly[\s\S]*a=rtpmap:96 PS\/90000[\s\S]*y=0100000001/);
      await rx.got(10);
      expect(rx.units[0]!.keyframe).toBe(true);
      expect(rx.units[0]!.codec).toBe('h264');
      expect(rx.units[0]!.nalus.map((n) => n[0]! & 0x1f)).toEqual(expect.arrayContaining([7, 8, 5]));
      const pts = rx.units.map((u) => u.pts);
      expect(pts).toEqual([...pts].sort((a, b) => a - b));
      // Packets as large as the default path MTU (1,500) allows: 1,460 bytes of PS behind the RTP header.
      expect(rx.largest()).toBe(1472);
      expect(cascade.streams.open).toBe(1);

      const bye = new Promise<number>((r) => upper.endpoint.once('bye', () => r(Date.now())));
      const revokedAt = Date.now();
      await t.shares.revoke(head, liveShare, '协议终止');
      const byeAt = await bye;
      expect(byeAt - revokedAt).toBeLessThan(2000);
      expect(dialog.active).toBe(false);
      expect(cascade.streams.open).toBe(0);
      await t.audit.chainPending();
      const entries = (await t.audit.search({ action: 'view', outcome: 'success', limit: 10 })).items;
      expect(entries.map((e) => e.target).sort()).toEqual([`live stream of channel ${channel} ended`, `live stream of channel ${channel} started`]);
      expect(entries.every((e) => e.destination === 'upper platform 合肥市平台')).toBe(true);
      const end = entries.find((e) => e.target!.endsWith('ended'))!;
      expect(end.detail).toMatchObject({ reason: 'share revoked' });
      expect(Number(end.detail['framesSent'])).toBeGreaterThanOrEqual(10);
    } finally {
      rx.socket.close();
    }
  }, 60_000);

  it('sends live video over TCP when the upper connects (a=setup:active): our answer names the port, RFC 4571 frames', async () => {
    const other = (await t.repos.cameras.getByGbId(catalogOnly))!;
    const tcpShare = await t.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, rights: ['live'], cameraIds: [other.id], groupIds: [],
      validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 3_600_000, purpose: '联网', approvalDocument: '〔2026〕18号',
    });
    const { dialog, response } = await upper.media(LOWER, catalogOnly, { session: 'Play', port: 9, transport: 'tcp-active' });
    const answer = response.body.toString();
    expect(answer).toMatch(/m=video \d+ TCP\/RTP\/AVP 96[\s\S]*a=setup:passive/);
    const port = Number(/m=video (\d+)/.exec(answer)![1]);
    const units: PsAccessUnit[] = [];
    const rx = new RtpPsDepacketizer({ video: (u) => units.push(u) }, {});
    let largest = 0;
    const dec = new Rfc4571Decoder((p) => {
      largest = Math.max(largest, p.length);
      rx.push(p);
    });
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('data', (d) => dec.push(d));
    try {
      while (units.length < 5) await new Promise((r) => socket.once('data', r));
      expect(units[0]!.keyframe).toBe(true);
      expect(units[0]!.codec).toBe('h264');
      // Over TCP the packets are as large as over UDP (the path MTU's), each behind its length.
      expect(largest).toBe(1472);
      await dialog.bye();
      while (cascade.streams.open) await new Promise((r) => setTimeout(r, 20));
    } finally {
      socket.destroy();
      await t.shares.revoke(head, tcpShare.id, '测试结束');
    }
  }, 60_000);

  it('refuses a replayed INVITE (a Call-ID already answered) and registers it', async () => {
    const other = (await t.repos.cameras.getByGbId(catalogOnly))!;
    const share = await t.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, rights: ['live'], cameraIds: [other.id], groupIds: [],
      validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 3_600_000, purpose: '联网', approvalDocument: '〔2026〕22号',
    });
    const rx = await psReceiver();
    try {
      const { dialog } = await upper.play(LOWER, catalogOnly, rx.port);
      await dialog.bye();
      const replay = (await upper.media(LOWER, catalogOnly, { session: 'Play', port: rx.port, callId: dialog.callId }).catch((e: Error) => e)) as Error;
      expect(replay.message).toMatch(/403/);
      await t.audit.chainPending();
      const refused = (await t.audit.search({ outcome: 'refused', action: 'view', limit: 20 })).items.filter((e) => e.reason?.startsWith('a replayed INVITE'));
      expect(refused).toEqual([expect.objectContaining({ target: `INVITE of channel ${catalogOnly}`, destination: 'upper platform 合肥市平台' })]);
    } finally {
      rx.socket.close();
      await t.shares.revoke(head, share.id, '测试结束');
    }
  }, 60_000);

  it('a share revoked by another process (no event here) still ends the stream within 2 s', async () => {
    const other = (await t.repos.cameras.getByGbId(catalogOnly))!;
    const share = await t.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, rights: ['live'], cameraIds: [other.id], groupIds: [],
      validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕19号',
    });
    const rx = await psReceiver();
    try {
      await upper.play(LOWER, catalogOnly, rx.port);
      await rx.got(3);
      const bye = new Promise<number>((r) => upper.endpoint.once('bye', () => r(Date.now())));
      const revokedAt = Date.now();
      // Straight to the table, as the API role in another process would: this process hears no event.
      expect(await t.repos.shares.revoke(share.id, t.adminId, t.clock.now(), 'revoked elsewhere')).toBe(true);
      expect((await bye) - revokedAt).toBeLessThan(2000);
      expect(cascade.streams.open).toBe(0);
    } finally {
      rx.socket.close();
    }
  }, 60_000);
});
