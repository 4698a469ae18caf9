// The city's console plays the district's recorded footage (issue 19 §4): a district Vigil (lower:
// SQLite, the RTSP simulator, its recorder, the cascade role) shares a camera for playback with a
// city Vigil (upper: PostgreSQL, the GB/T 28181 platform, which takes the district as a device).
// A city duty operator asks the city's API for the district camera's recording the way the
// console does — a playback token with the device as source, a WebRTC offer (a werift peer as
// the browser) — and the city INVITEs s=Playback on the district, which answers from its own
// recording index; pictures reach the viewer, a seek is obeyed, and closing the viewer ends the
// district's stream. The district registers the disclosure with the city as its destination.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn } from '../support/auth.js';
import { testSources } from '../support/sources.js';
import { weriftViewer } from '../support/werift-viewer.js';

const UPPER = '34020000002000000001';
const LOWER = '34010400002000000001';
const CHANNEL = '34010400001320000041';

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("two Vigils: the city's console plays the district's recorded footage", () => {
  let sim: Simulator;
  let lower: TestApp;
  let upper: TestApp;
  let w: World;
  let gb: GbRuntime;
  let cascade: CascadeRuntime;
  let districtRecorder: Recorder;
  let cameraId: number;
  let regionId: number;
  const closers: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ cameras: 1, width: 320, height: 240, bitrateKbps: 300, lingerMs: 300 });
    closers.push(() => sim.close());
    upper = await testApp('postgres', 'national', { media: true });
    closers.push(() => upper.close());
    regionId = (await upper.repos.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' }, Date.now())).id;
    const base = 36500 + Math.floor(Math.random() * 1500) * 10;
    const gbSettings = configSchema.parse({ gb28181: { sipId: UPPER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: base, mediaPortMax: base + 9, domainPassword: 'city-secret', defaultRegionId: regionId } }).gb28181;
    gb = await openGb28181({ settings: gbSettings, utcOffsetMinutes: 480, repos: upper.repos, registry: upper.registry, log: upper.access.log, clock: systemClock, logger: pino({ level: 'silent' }), alarms: upper.health.alarms });
    closers.push(() => gb.close());
    upper.gb.runtime = gb;

    lower = await testApp('sqlite');
    closers.push(() => lower.close());
    w = await world(lower);
    const cam = (await lower.repos.cameras.get(w.camA))!;
    cameraId = (await lower.repos.cameras.insert({ ...cam, gbId: CHANNEL, name: '路口 41', sourceUrl: sim.urls[0]! }, lower.clock.now())).id;
    const head = new Actor({ userId: lower.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    await lower.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['catalog', 'playback'], cameraIds: [cameraId], groupIds: [],
      validFrom: lower.clock.now() - 1000, validTo: lower.clock.now() + 86_400_000, purpose: '案件回放', approvalDocument: '〔2026〕41号',
    });
    const hub = new StreamHub({ sources: lower.sources, sourceUrl: async (id) => (await lower.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 200 });
    closers.push(() => hub.close());
    districtRecorder = new Recorder(
      { dataDir: lower.dataDir, settings: { fileSeconds: 2, fragmentMaxMs: 500, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: lower.repos.recordings, sources: testSources(lower.dataDir), clock: systemClock, logger: pino({ level: 'silent' }) },
      { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
    );
    await districtRecorder.start();
    closers.push(() => districtRecorder.close());
    const settings = configSchema.parse({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: gb.port, password: 'city-secret', keepaliveSeconds: 5 }] },
    }).cascade;
    const catalogued = new Promise<void>((resolve) => gb.platform.on('catalog', (id) => id === LOWER && resolve()));
    cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: '蜀山区平台', utcOffsetMinutes: 480, repos: lower.repos, shares: lower.shares, clock: lower.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub.watch(id, v), dataDir: lower.dataDir });
    closers.push(() => cascade.close());
    await catalogued;
  }, 180_000);

  afterAll(async () => {
    while (closers.length) await closers.pop()!();
  });

  it("plays the district camera's recording through the city's API over WebRTC, seeks it, and closes the district's stream", async () => {
    await until('the district recorded a few seconds', async () => (await lower.repos.recordingIndex.fileSpans(cameraId, 0, Date.now() + 60_000)).length >= 4);
    const spans = await lower.repos.recordingIndex.fileSpans(cameraId, 0, Date.now() + 60_000);
    // Whole seconds inside what the district holds (GB/T 28181 time has seconds).
    const from = Math.ceil(spans[0]![0] / 1000) * 1000;
    const to = Math.floor(spans.at(-1)![1] / 1000) * 1000;
    const cityCamera = (await upper.repos.cameras.getByGbId(CHANNEL))!;
    expect(cityCamera.sourceUrl).toBe(`gb28181://${LOWER}/${CHANNEL}`);
    // The city's timeline would draw the district's recordings as the device's (RecordInfo from its index).
    expect((await gb.platform.queryRecordInfo(CHANNEL, from, to)).length).toBeGreaterThan(0);

    const op = await signIn(upper, await person(upper, 'city-duty', [['duty_operator', regionId]]));
    const tok = await op.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: cityCamera.id, kind: 'playback', from, to, source: 'device' } });
    expect(tok.statusCode, tok.body).toBe(201);
    const { pc, offer, got } = await weriftViewer();
    closers.push(() => pc.close());
    const res = await op.inject({ method: 'POST', url: `/api/v1/cameras/${cityCamera.id}/device-playback/webrtc?token=${encodeURIComponent(tok.json().token)}`, payload: { sdp: offer } });
    expect(res.statusCode, res.body).toBe(201);
    await pc.setRemoteDescription({ type: 'answer', sdp: res.json().sdp });
    expect(cascade.streams.list()).toContainEqual(expect.objectContaining({ kind: 'Playback', channelId: CHANNEL, upper: UPPER }));
    await until("the district's recorded pictures at the city's viewer", () => got.packets >= 30);

    const seek = await op.inject({ method: 'POST', url: `/api/v1/device-playback/sessions/${res.json().sessionId}/control`, payload: { kind: 'seek', atMs: from + 1000 } });
    expect(seek.statusCode, seek.body).toBe(200);
    const after = got.packets;
    await until('pictures after the seek', () => got.packets >= after + 10);

    expect((await op.inject({ method: 'DELETE', url: `/api/v1/device-playback/sessions/${res.json().sessionId}` })).statusCode).toBe(204);
    await until("the district's playback stream ended", () => !cascade.streams.list().some((s) => s.kind === 'Playback'));
    // The city registered the use (its operator, the device as source); the district the disclosure to the city.
    const cityEntries = (await upper.audit.search({ action: 'playback', outcome: 'success', limit: 50 })).items.filter((e) => e.target === `camera ${cityCamera.id} device recording`);
    expect(cityEntries).toHaveLength(1);
    await lower.audit.chainPending();
    const told = (await lower.audit.search({ action: 'playback', outcome: 'success', limit: 50 })).items.filter((e) => e.destination === 'upper platform 合肥市平台');
    expect(told.some((e) => e.target === `playback of channel ${CHANNEL} ended`)).toBe(true);
  }, 180_000);
});
