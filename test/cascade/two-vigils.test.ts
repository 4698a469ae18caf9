// Two Vigils linked level to level (issue 19's reference deployment, HRB-13, WH-18..20): a
// district Vigil (lower: SQLite, cameras from the RTSP simulator, the cascade role) shares two of
// its three cameras with a city Vigil (upper: PostgreSQL, this project's GB/T 28181 platform in
// src/gb28181, which takes lower platforms like devices). The lower registers with digest; the
// upper's catalog holds exactly the two shared channels; the upper records live video from one
// over GB/T 28181 (INVITE, PS over RTP, its own recorder writing fMP4); revoking that share on the
// lower ends the stream at once and the upper's catalog loses the channel (NOTIFY DEL under its
// catalog subscription). The city also plays back the district's own recordings of a camera shared
// for playback: RecordInfo lists them, INVITE s=Playback (t= the range) brings them as PS over RTP,
// MANSRTSP pauses, seeks and speeds them up, and the end of the range ends the session (MediaStatus
// 121, BYE). Nothing mocked: two databases, two SIP stacks, real video.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { livePlayerOf, openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { gb28181SourceFactory } from '../../src/ingest/gb28181-source.js';
import { registerSource } from '../../src/ingest/registry.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { testSources } from '../support/sources.js';

const UPPER = '34020000002000000001';
const LOWER = '34010400002000000001';
const CHANNELS = ['34010400001320000031', '34010400001320000032', '34010400001320000033'];

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('two Vigils: a district platform shares cameras with the city platform', () => {
  let sim: Simulator;
  let lower: TestApp;
  let upper: TestApp;
  let w: World;
  let hub: StreamHub;
  let gb: GbRuntime;
  let cascade: CascadeRuntime;
  let recorder: Recorder | undefined;
  let districtRecorder: Recorder | undefined;
  const ids: number[] = [];
  let head: Actor;
  const shareOf = new Map<string, number>();
  const closers: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ cameras: 3, width: 320, height: 240, bitrateKbps: 300, lingerMs: 300 });
    closers.push(() => sim.close());
    // The city platform.
    upper = await testApp('postgres');
    closers.push(() => upper.close());
    const region = await upper.repos.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' }, Date.now());
    const base = 35000 + Math.floor(Math.random() * 1500) * 10;
    const gbSettings = configSchema.parse({ gb28181: { sipId: UPPER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: base, mediaPortMax: base + 9, domainPassword: 'city-secret', defaultRegionId: region.id } }).gb28181;
    gb = await openGb28181({ settings: gbSettings, utcOffsetMinutes: 480, repos: upper.repos, registry: upper.registry, log: upper.access.log, clock: systemClock, logger: pino({ level: 'silent' }), alarms: upper.health.alarms });
    closers.push(() => gb.close());
    registerSource('gb28181', gb28181SourceFactory(livePlayerOf(gb)));

    // The district platform: three cameras, two shared with the city.
    lower = await testApp('sqlite');
    closers.push(() => lower.close());
    w = await world(lower);
    const cam = (await lower.repos.cameras.get(w.camA))!;
    for (const [i, gbId] of CHANNELS.entries()) ids.push((await lower.repos.cameras.insert({ ...cam, gbId, name: `路口 ${i + 1}`, sourceUrl: sim.urls[i]! }, lower.clock.now())).id);
    head = new Actor({ userId: lower.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    for (const i of [0, 1]) {
      const share = await lower.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['catalog', 'live'], cameraIds: [ids[i]!], groupIds: [],
        validFrom: lower.clock.now() - 1000, validTo: lower.clock.now() + 86_400_000, purpose: '市区两级联网', approvalDocument: `〔2026〕3${i}号`,
      });
      shareOf.set(CHANNELS[i]!, share.id);
    }
    hub = new StreamHub({ sources: lower.sources, sourceUrl: async (id) => (await lower.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 200 });
    closers.push(() => hub.close());
    const settings = configSchema.parse({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: gb.port, password: 'city-secret', keepaliveSeconds: 5 }] },
    }).cascade;
    const catalogued = new Promise<void>((resolve) => gb.platform.on('catalog', (id) => id === LOWER && resolve()));
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: '蜀山区平台', utcOffsetMinutes: 480, repos: lower.repos, shares: lower.shares, clock: lower.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub.watch(id, v), dataDir: lower.dataDir });
    closers.push(() => cascade.close());
    await catalogued;
  }, 120_000);

  afterAll(async () => {
    await recorder?.close();
    await districtRecorder?.close();
    while (closers.length) await closers.pop()!();
  });

  const upperChannels = async () => {
    const device = await upper.repos.gbDevices.get(LOWER);
    return device ? (await upper.repos.gbDevices.channels(device.id)).map((c) => c.channelId).sort() : [];
  };

  it('the city sees exactly the two shared cameras, registered as a disclosure on the district side', async () => {
    const device = await upper.repos.gbDevices.get(LOWER);
    expect(device?.online).toBe(true);
    expect(await upperChannels()).toEqual(CHANNELS.slice(0, 2));
    for (const id of CHANNELS.slice(0, 2)) expect((await upper.repos.cameras.getByGbId(id))?.sourceUrl).toBe(`gb28181://${LOWER}/${id}`);
    expect(await upper.repos.cameras.getByGbId(CHANNELS[2]!)).toBeUndefined();
    await lower.audit.chainPending();
    const told = (await lower.audit.search({ action: 'registry_view', outcome: 'success', limit: 10 })).items;
    expect(told.some((e) => e.destination === 'upper platform 合肥市平台' && /catalog answer .*\(2 channels\)/.test(e.target ?? ''))).toBe(true);
  });

  it('the city records live video of a shared camera; revoking the share ends the stream and withdraws the channel', async () => {
    // The city subscribed to the district's catalog when it registered.
    await until('the city\'s catalog subscription', async () => gb.platform.lowers!.subscribed.includes(LOWER));
    const camera = (await upper.repos.cameras.getByGbId(CHANNELS[0]!))!;
    // The lower's catalog carried the filed in-service date (InstallTime), so the point may go in service as it is.
    const filed = (await lower.repos.cameras.getByGbId(CHANNELS[0]!))!.inServiceDate;
    expect(filed).not.toBeNull();
    expect(camera.inServiceDate).toBe(filed);
    await upper.registry.cameras.update(camera.id, { status: 'in_service', sourceUrl: camera.sourceUrl! });
    recorder = new Recorder(
      { dataDir: upper.dataDir, settings: { fileSeconds: 600, fragmentMaxMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: upper.repos.recordings, sources: testSources(upper.dataDir), clock: systemClock, logger: pino({ level: 'silent' }) },
      { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
    );
    await recorder.start();
    // Two fragments of one second each in the city's index: video crossed both platforms.
    await until('the city recorded the shared camera', async () => (await upper.repos.recordingIndex.fragments(camera.id, 0, Date.now() + 60_000, 10)).length >= 2);
    const fragments = await upper.repos.recordingIndex.fragments(camera.id, 0, Date.now() + 60_000, 10);
    expect(fragments[0]!.keyframe).toBe(true);
    expect(cascade.streams.list()).toEqual([expect.objectContaining({ kind: 'Play', channelId: CHANNELS[0], upper: UPPER })]);

    await lower.shares.revoke(head, shareOf.get(CHANNELS[0]!)!, '联网协议到期');
    await until('the stream to the city ended', () => cascade.streams.open === 0);
    await until('the city withdrew the channel', async () => (await upperChannels()).length === 1);
    expect(await upperChannels()).toEqual([CHANNELS[1]]);
    await lower.audit.chainPending();
    const ended = (await lower.audit.search({ action: 'view', outcome: 'success', limit: 20 })).items.find((e) => e.target === `live stream of channel ${CHANNELS[0]} ended`);
    expect(ended).toMatchObject({ destination: 'upper platform 合肥市平台', detail: expect.objectContaining({ reason: 'share revoked' }) });
  }, 120_000);

  it('the city plays back the district\'s recordings of a camera shared for playback: RecordInfo, s=Playback, pause, seek, scale, the end', async () => {
    const channel = CHANNELS[1]!;
    const cameraId = ids[1]!;
    // The district records its cameras (two-second files, so some are closed).
    districtRecorder = new Recorder(
      { dataDir: lower.dataDir, settings: { fileSeconds: 2, fragmentMaxMs: 500, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: lower.repos.recordings, sources: testSources(lower.dataDir), clock: systemClock, logger: pino({ level: 'silent' }) },
      { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
    );
    await districtRecorder.start();
    await until('the district recorded a few seconds', async () => (await lower.repos.recordingIndex.fileSpans(cameraId, 0, Date.now() + 60_000)).length >= 3);
    const spans = await lower.repos.recordingIndex.fileSpans(cameraId, 0, Date.now() + 60_000);
    const from = spans[0]![0];
    const to = spans.at(-1)![1];

    // Shared for live only: RecordInfo answers nothing, and the refusal is registered on the district side.
    expect(await gb.platform.queryRecordInfo(channel, from - 1000, to + 1000)).toEqual([]);
    await lower.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['playback'], cameraIds: [cameraId], groupIds: [],
      validFrom: lower.clock.now() - 1000, validTo: lower.clock.now() + 86_400_000, purpose: '案件回放', approvalDocument: '〔2026〕40号',
    });
    const listed = await gb.platform.queryRecordInfo(channel, from - 1000, to + 1000);
    expect(listed.length).toBe(spans.length);
    // GB time has whole seconds.
    expect(Math.abs(listed[0]!.startMs - from)).toBeLessThan(1000);
    expect(listed.every((r) => r.channelId === channel)).toBe(true);

    const session = await gb.player.play(LOWER, channel, 'udp', { session: 'Playback', range: { startMs: from, endMs: to } });
    const units: { keyframe: boolean }[] = [];
    const ended = new Promise<string>((resolve) => session.on('end', resolve));
    session.on('unit', (u) => units.push(u));
    await until('recorded pictures reached the city', () => units.length >= 10);
    expect(units[0]!.keyframe).toBe(true);
    expect(cascade.streams.list()).toContainEqual(expect.objectContaining({ kind: 'Playback', channelId: channel, upper: UPPER }));
    await session.control({ kind: 'pause' });
    await session.control({ kind: 'seek', seconds: 1 });
    await session.control({ kind: 'resume' });
    const after = units.length;
    await until('pictures after the seek', () => units.length > after);
    await session.control({ kind: 'scale', scale: 4 });
    // The range played to its end: the district says so (MediaStatus 121) and hangs up.
    expect(await ended).toMatch(/BYE/);
    await until('the playback stream ended on the district side', () => !cascade.streams.list().some((s) => s.kind === 'Playback'));
    await lower.audit.chainPending();
    const told = (await lower.audit.search({ action: 'playback', limit: 50 })).items.filter((e) => e.destination === 'upper platform 合肥市平台');
    expect(told.filter((e) => e.outcome === 'refused' && /RecordInfo/.test(e.target ?? ''))).toHaveLength(1);
    expect(told.some((e) => e.outcome === 'success' && e.target === `record list of channel ${channel} (${spans.length} recordings)`)).toBe(true);
    expect(told.some((e) => e.outcome === 'success' && e.target === `playback of channel ${channel} ended`)).toBe(true);
  }, 180_000);
});
