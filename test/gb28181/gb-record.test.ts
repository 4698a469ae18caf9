// A GB/T 28181 channel recorded end to end, with every part real: the simulated device (our SIP
// stack as the device, the simulator's libx264 encoder, PS over RTP) registers with digest, answers
// the Catalog the platform asks on registration, and the catalog makes the camera point. Put in
// service, the recorder records gb28181://device/channel: the platform INVITEs, the device sends
// PS over UDP, TCP (device connects) or TCP (platform connects). ffprobe reads the recording as
// H.264 with exactly the frames the device sent and a constant 40 ms step; live view takes the
// same channel through the stream hub at the same time (a second INVITE). SQLite and PostgreSQL.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { gb28181SourceFactory } from '../../src/ingest/gb28181-source.js';
import { registerSource } from '../../src/ingest/registry.js';
import type { StreamInfo, VideoFrame } from '../../src/ingest/source.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { SharedEncoder } from '../../src/sim/encoder.js';
import { SimGbDevice } from '../../src/sim/gb-device.js';
import { defaultFontFile } from '../../src/sim/picture.js';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { verifyRecordings } from '../support/recorder-verify.js';
import { testSources } from '../support/sources.js';

const run = promisify(execFile);
const NVR = '34020000001180000001';
const CHANNEL = '34020000001310000001';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const until = async (what: string, ok: () => boolean | Promise<boolean>, tries = 400) => {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

let encoder: SharedEncoder | undefined;
async function liveEncoder(): Promise<SharedEncoder> {
  if (!encoder) {
    encoder = new SharedEncoder({ kind: 'live', width: 640, height: 360, fps: 25, fontFile: defaultFontFile(), bitrateKbps: 800, gop: 25 });
    encoder.start();
  }
  await encoder.ready();
  return encoder;
}

async function platform(dialect: (typeof DIALECTS)[number]): Promise<{ t: TestApp; gb: GbRuntime }> {
  const t = await testApp(dialect);
  closers.push(() => t.close());
  const region = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340200' }, Date.now());
  const base = 34000 + Math.floor(Math.random() * 1500) * 10;
  const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: base, mediaPortMax: base + 9, domainPassword: 'domain-secret', defaultRegionId: region.id } }).gb28181;
  const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: systemClock, logger: pino({ level: 'silent' }) });
  closers.push(() => gb.close());
  registerSource('gb28181', gb28181SourceFactory(gb.player));
  return { t, gb };
}

async function ffprobeFrames(path: string): Promise<{ codec: string; width: number; steps: number[]; count: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width:packet=pts', '-of', 'json', path]);
  const j = JSON.parse(stdout) as { streams: { codec_name: string; width: number }[]; packets: { pts: number }[] };
  const pts = j.packets.map((p) => p.pts).sort((a, b) => a - b);
  return { codec: j.streams[0]!.codec_name, width: j.streams[0]!.width, steps: [...new Set(pts.slice(1).map((p, i) => p - pts[i]!))], count: pts.length };
}

for (const dialect of DIALECTS) {
  describe(`a GB/T 28181 channel recorded end to end (${dialect})`, () => {
    for (const transport of ['udp', 'tcp-passive', 'tcp-active'] as const) {
      if (dialect === 'postgres' && transport !== 'udp') continue; // the database does not see the transport
      it(`registers, catalogs, records over ${transport}, and is watched live through the stream hub`, async () => {
        const { t, gb } = await platform(dialect);
        const feed = await liveEncoder();
        const device = new SimGbDevice({
          deviceId: NVR,
          password: 'domain-secret',
          platform: { id: '34020000002000000001', host: '127.0.0.1', port: gb.port },
          channels: [{ id: CHANNEL, name: 'East gate', feed, fields: { Longitude: '117.28', Latitude: '31.86', Info: { PTZType: 3 }, InstallTime: '2024-03-01T00:00:00' } }],
        });
        closers.push(() => device.close());
        const catalogued = new Promise((r) => gb.platform.once('catalog', r));
        await device.start();
        await catalogued;
        expect((await t.repos.gbDevices.get(NVR))!).toMatchObject({ online: true, manufacturer: 'Vigil' });
        const cam = (await t.repos.cameras.getByGbId(CHANNEL))!;
        expect(cam).toMatchObject({ name: 'East gate', status: 'planned', sourceUrl: `gb28181://${NVR}/${CHANNEL}` });

        // The operator puts the point in service with the transport the site needs.
        const url = `gb28181://${NVR}/${CHANNEL}${transport === 'udp' ? '' : `?transport=${transport}`}`;
        await t.registry.cameras.update(cam.id, { status: 'in_service', sourceUrl: url });
        const recorder = new Recorder(
          { dataDir: t.dataDir, settings: { fileSeconds: 600, fragmentMaxMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: t.repos.recordings, sources: testSources(t.dataDir), clock: systemClock, logger: pino({ level: 'silent' }) },
          { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
        );
        closers.push(() => recorder.close());
        const streams: string[] = [];
        device.on('stream', (s) => streams.push(s.mode));
        await recorder.start();
        await until('the recorder INVITE', () => device.sessions.size === 1);
        const recording = [...device.sessions.values()][0]!;

        // Live view through the hub: its own INVITE on the same channel, pictures from a keyframe.
        const hub = new StreamHub({ sourceUrl: async (id) => (id === cam.id ? url : undefined), sources: testSources(t.dataDir) });
        closers.push(() => hub.close());
        const seen: VideoFrame[] = [];
        const infos: StreamInfo[] = [];
        const sub = await hub.watch(cam.id, { onInfo: (i) => infos.push(i), onFrame: (f) => seen.push(f) });
        await until('25 live frames', () => seen.length >= 25);
        expect(infos[0]!.video).toMatchObject({ codec: 'h264', width: 640, height: 360 });
        expect(seen[0]!.keyframe).toBe(true);
        expect(device.sessions.size).toBe(2);
        sub.close();

        await until('3 s of recording', () => recording.sender.framesSent >= 75);
        // The device stops sending; everything it sent is in the file once the recorder closes.
        recording.sender.pause();
        const sent = recording.sender.framesSent;
        await new Promise((r) => setTimeout(r, 500));
        await recorder.close();
        expect(streams[0]).toBe({ udp: 'udp', 'tcp-passive': 'tcp-active', 'tcp-active': 'tcp-passive' }[transport]);

        const v = await verifyRecordings(t.repos.recordings, t.dataDir, [cam.id], { requireClosed: true });
        expect(v.problems).toEqual([]);
        expect(v.files.length).toBe(1);
        const probe = await ffprobeFrames(join(t.dataDir, v.files[0]!.file.path));
        expect(probe.codec).toBe('h264');
        expect(probe.width).toBe(640);
        expect(probe.count).toBe(sent);
        expect(probe.steps.length).toBe(1); // one constant step: no gap, no jump
        const timescale = Number((await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base', '-of', 'csv=p=0', join(t.dataDir, v.files[0]!.file.path)])).stdout.trim().split('/')[1]);
        expect(probe.steps[0]! / timescale).toBeCloseTo(0.04, 6);
      }, 120_000);
    }
  });
}

afterAll(() => encoder?.close());
