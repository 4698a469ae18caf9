// A GB/T 28181 platform over a test app, a simulated device with one channel fed by a real
// encoder, and a recorder on the app's database: the pieces the GB end-to-end tests share.
import { pino } from 'pino';
import type { Config } from '../../src/config/config.js';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock, type Clock } from '../../src/domain/clock.js';
import type { DialectName } from '../../src/db/database.js';
import { livePlayerOf, openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { gb28181SourceFactory } from '../../src/ingest/gb28181-source.js';
import { registerSource } from '../../src/ingest/registry.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { SharedEncoder } from '../../src/sim/encoder.js';
import { SimGbDevice } from '../../src/sim/gb-device.js';
import type { FrameFeed } from '../../src/sim/gb-media-sender.js';
import { defaultFontFile } from '../../src/sim/picture.js';
import { testApp, type TestApp } from './app.js';
import { testSources } from './sources.js';

export const GB_PLATFORM = '34020000002000000001';
export const GB_NVR = '34020000001180000001';
export const GB_CHANNEL = '34020000001310000001';

const AT = Date.UTC(2026, 11, 4, 0, 0, 0);
/** What the simulated device says it recorded (RecordInfo) with `records: true`: three spans on 2026-12-04 from 08:00 local. */
export const DEVICE_RECORDS = [
  { startMs: AT, endMs: AT + 600_000 },
  { startMs: AT + 900_000, endMs: AT + 1_200_000 },
  { startMs: AT + 1_800_000, endMs: AT + 3_000_000 },
];

export async function until(what: string, ok: () => boolean | Promise<boolean>, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let encoder: SharedEncoder | undefined;
/** One 640x360 25 fps libx264 encoder per test file, started on first use. */
export async function liveEncoder(): Promise<SharedEncoder> {
  if (!encoder) {
    encoder = new SharedEncoder({ kind: 'live', width: 640, height: 360, fps: 25, fontFile: defaultFontFile(), bitrateKbps: 800, gop: 25 });
    encoder.start();
  }
  await encoder.ready();
  return encoder;
}

export function closeEncoder(): void {
  encoder?.close();
  encoder = undefined;
}

export interface GbWorld {
  t: TestApp;
  gb: GbRuntime;
  device: SimGbDevice;
  cameraId: number;
  /** The platform (region) organisation the channel's camera point belongs to. */
  regionId: number;
  close(): Promise<void>;
}

/**
 * Platform, device registered and catalogued, its channel a camera point; `inService` puts it in
 * service with the given source URL (the recorder then records it).
 */
export async function gbWorld(dialect: DialectName, o: { appClock?: boolean; keepaliveSeconds?: number; records?: boolean; media?: boolean; devicePlayback?: Partial<Config['gb28181']['devicePlayback']>; feed?: FrameFeed } = {}): Promise<GbWorld> {
  const t = await testApp(dialect, 'national', { ...(o.media ? { media: true } : {}), ...(o.devicePlayback ? { devicePlayback: o.devicePlayback } : {}) });
  // appClock: the platform decides on the app's fixed clock (moved by the test), set to now.
  if (o.appClock) t.clock.set(Date.now());
  const clock: Clock = o.appClock ? t.clock : systemClock;
  const closers: (() => Promise<unknown> | unknown)[] = [() => t.close()];
  const close = async () => {
    while (closers.length) await closers.pop()!();
  };
  try {
    const region = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340200' }, Date.now());
    const base = 34000 + Math.floor(Math.random() * 1500) * 10;
    const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: base, mediaPortMax: base + 9, domainPassword: 'domain-secret', defaultRegionId: region.id, ...(o.keepaliveSeconds ? { keepaliveSeconds: o.keepaliveSeconds } : {}) } }).gb28181;
    const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock, logger: pino({ level: 'silent' }), alarms: t.health.alarms });
    closers.push(() => gb.close());
    t.gb.runtime = gb;
    registerSource('gb28181', gb28181SourceFactory(livePlayerOf(gb)));
    const feed = o.feed ?? (await liveEncoder());
    const device = new SimGbDevice({
      deviceId: GB_NVR,
      password: 'domain-secret',
      platform: { id: GB_PLATFORM, host: '127.0.0.1', port: gb.port },
      channels: [{ id: GB_CHANNEL, name: 'East gate', feed, fields: { Longitude: '117.28', Latitude: '31.86', Info: { PTZType: 3 }, InstallTime: '2024-03-01T00:00:00' }, ...(o.records ? { records: DEVICE_RECORDS } : {}) }],
      ...(o.keepaliveSeconds ? { keepaliveSeconds: o.keepaliveSeconds } : {}),
    });
    closers.push(() => device.close());
    const catalogued = new Promise((r) => gb.platform.once('catalog', r));
    await device.start();
    await catalogued;
    const cam = await t.repos.cameras.getByGbId(GB_CHANNEL);
    if (!cam) throw new Error('the catalog made no camera');
    return { t, gb, device, cameraId: cam.id, regionId: region.id, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The operator puts the point in service; the recorder (system clock) then records its source. */
export async function recordGb(w: GbWorld, url: string, noDataTimeoutMs = 10_000): Promise<Recorder> {
  await w.t.registry.cameras.update(w.cameraId, { status: 'in_service', sourceUrl: url });
  const recorder = new Recorder(
    { dataDir: w.t.dataDir, settings: { fileSeconds: 600, fragmentMaxMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: w.t.repos.recordings, sources: testSources(w.t.dataDir), clock: systemClock, logger: pino({ level: 'silent' }) },
    { noDataTimeoutMs, connectTimeoutMs: 10_000 },
  );
  await recorder.start();
  return recorder;
}
