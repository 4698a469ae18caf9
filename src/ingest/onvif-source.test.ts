// onvif:// sources: the URL read, the profile chosen, and a camera found through the fake ONVIF
// device (test/support/onvif-device.ts) recorded from the simulator's RTSP stream by the real
// recorder, with the file checked by ffprobe and against the index.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { startOnvifDevice, type FakeDevice, type FakeProfile } from '../../test/support/onvif-device.js';
import { recorderHarness, sleep } from '../../test/support/recorder-harness.js';
import { verifyRecordings } from '../../test/support/recorder-verify.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { IngestError } from './errors.js';
import { createSource } from './index.js';
import type { GuardedSource } from './guarded-source.js';
import { testSources } from '../../test/support/sources.js';

import { chooseStream, OnvifSource, parseOnvifUrl } from './onvif-source.js';
import type { StreamInfo } from './source.js';

const guard = testSources(null);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ cameras: 1 });
});
afterAll(async () => {
  await sim?.close();
});

const USER = 'admin';
const PASSWORD = 'Pa ss:w0rd@1';

function profiles(mainUri: string): FakeProfile[] {
  return [
    { token: 'Profile_2', name: 'subStream', encoding: 'H265', width: 640, height: 360, fps: 15, bitrateKbps: 512, streamUri: 'rtsp://192.0.2.7:554/sub' },
    { token: 'Profile_1', name: 'mainStream', encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 3072, streamUri: mainUri },
    { token: 'Profile_3', name: 'snapshot', encoding: 'JPEG', width: 1920, height: 1080, fps: 1, bitrateKbps: 1000, streamUri: 'rtsp://192.0.2.7:554/jpeg' },
  ];
}

/** onvif://user:password@host:port/path for a fake device. */
function onvifUrl(dev: FakeDevice, query = ''): string {
  const a = new URL(dev.address);
  return `onvif://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@${a.host}${a.pathname}${query}`;
}

describe('onvif:// URLs', () => {
  it('reads the device address, credentials, profile and stream host', () => {
    expect(parseOnvifUrl(new URL('onvif://admin:p%40ss@10.1.2.3'))).toEqual({ address: 'http://10.1.2.3/onvif/device_service', username: 'admin', password: 'p@ss', streamHostFromDevice: false });
    expect(parseOnvifUrl(new URL('onvif://10.1.2.3:8080/onvif/dev?profile=Profile_9&stream_host=device'))).toEqual({ address: 'http://10.1.2.3:8080/onvif/dev', profile: 'Profile_9', streamHostFromDevice: true });
    expect(() => parseOnvifUrl(new URL('onvif://10.1.2.3/?channel=2'))).toThrow(/does not know the parameter channel/);
    expect(() => parseOnvifUrl(new URL('onvif://10.1.2.3/?stream_host=nat'))).toThrow(IngestError);
  });

  it('records the profile asked for, or else the H.264/H.265 one with the most pixels', () => {
    const streams = profiles('rtsp://192.0.2.7/main').map((p) => ({ token: p.token, name: p.name, video: { encoding: p.encoding, width: p.width, height: p.height }, uri: p.streamUri, url: p.streamUri }));
    expect(chooseStream(streams, undefined).token).toBe('Profile_1');
    expect(chooseStream(streams, 'Profile_2').token).toBe('Profile_2');
    expect(() => chooseStream(streams, 'Profile_7')).toThrow(/no profile Profile_7 \(it has Profile_2, Profile_1, Profile_3\)/);
    expect(() => chooseStream(streams.slice(2), undefined)).toThrow(expect.objectContaining({ code: 'INGEST_CODEC' }));
  });
});

describe('a camera added by its ONVIF address', () => {
  it('is found, connected over RTSP and streams the main profile', async () => {
    const dev = await startOnvifDevice({ username: USER, password: PASSWORD, profiles: profiles(sim.urls[0]!) });
    try {
      const source = createSource(onvifUrl(dev), { connectTimeoutMs: 5000, guard }) as GuardedSource;
      expect(source.displayUrl).not.toContain('w0rd');
      const infos: StreamInfo[] = [];
      let frames = 0;
      source.on('info', (i) => infos.push(i));
      source.on('frame', () => frames++);
      await source.start();
      // A second of video (25 frames), from the next keyframe on.
      for (let waited = 0; frames < 25 && waited < 5000; waited += 100) await sleep(100);
      await source.close();
      expect(infos[0]!.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
      expect(frames).toBeGreaterThanOrEqual(25);
      expect((source.opened as OnvifSource).resolvedUrl).toBe(new URL(sim.urls[0]!).href);
      expect(source.stats.bytesIn).toBeGreaterThan(100_000);
      expect(dev.calls.filter((c) => c.op === 'GetStreamUri').every((c) => c.ok && c.user === USER)).toBe(true);
    } finally {
      await dev.close();
    }
  }, 30_000);

  it('reaches a camera behind NAT through the address the operator gave (stream_host=device)', async () => {
    // The device reports an address on its own LAN, which is not reachable from here.
    const sim0 = new URL(sim.urls[0]!);
    const reported = `rtsp://192.0.2.50:${sim0.port}${sim0.pathname}`;
    const dev = await startOnvifDevice({ username: USER, password: PASSWORD, profiles: profiles(reported) });
    try {
      const source = createSource(onvifUrl(dev, '?stream_host=device'), { connectTimeoutMs: 5000, guard }) as GuardedSource;
      let info: StreamInfo | undefined;
      source.on('info', (i) => (info = i));
      await source.start();
      await source.close();
      expect(info?.video.codec).toBe('h264');
      expect(new URL((source.opened as OnvifSource).resolvedUrl!).hostname).toBe('127.0.0.1');
    } finally {
      await dev.close();
    }
  }, 30_000);

  it('fails to start, saying why, with wrong credentials', async () => {
    const dev = await startOnvifDevice({ username: USER, password: PASSWORD, profiles: profiles(sim.urls[0]!) });
    try {
      const a = new URL(dev.address);
      const source = createSource(`onvif://admin:wrong@${a.host}${a.pathname}`, { connectTimeoutMs: 3000, guard });
      await expect(source.start()).rejects.toMatchObject({ code: 'ONVIF_AUTH' });
      await source.close();
    } finally {
      await dev.close();
    }
  }, 30_000);

  it('is recorded by the recorder like any camera: files that ffprobe plays and the index matches', async () => {
    const dev = await startOnvifDevice({ username: USER, password: PASSWORD, profiles: profiles(sim.urls[0]!) });
    const h = await recorderHarness([onvifUrl(dev)]);
    try {
      const recorder = h.recorder({ fileSeconds: 600 });
      await recorder.start();
      await sleep(4000);
      await recorder.close();
      const v = await verifyRecordings(h.repos.recordings, h.dataDir, h.cameraIds, { requireClosed: true });
      expect(v.problems).toEqual([]);
      expect(v.files).toHaveLength(1);
      expect(v.files[0]!.fragments.length).toBeGreaterThanOrEqual(2);
    } finally {
      await h.close();
      await dev.close();
    }
  }, 40_000);
});
