// The ONVIF client against a fake device (test/support/onvif-device.ts: no real ONVIF camera is
// available here), WS-Security digests checked against openssl, and the stream address it finds
// played by ffprobe from the camera simulator.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnvifDevice, type FakeDevice, type FakeDeviceOptions } from '../../test/support/onvif-device.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { OnvifClient } from './device.js';
import { probe } from './discovery.js';
import { passwordDigest } from './ws-security.js';

const run = promisify(execFile);
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ cameras: 1 });
});
afterAll(async () => {
  await sim?.close();
});

function device(extra: Partial<FakeDeviceOptions> = {}): Promise<FakeDevice> {
  return startOnvifDevice({
    username: 'admin',
    password: 'Pa ss:w0rd@1',
    profiles: [
      { token: 'Profile_1', name: 'mainStream', encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 3072, streamUri: sim.urls[0]! },
      { token: 'Profile_2', name: 'subStream', encoding: 'H265', width: 640, height: 360, fps: 15, bitrateKbps: 512, streamUri: 'rtsp://192.168.1.64:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2' },
    ],
    ...extra,
  });
}

describe('WS-Security UsernameToken', () => {
  it('computes Base64(SHA-1(nonce + created + password)) as openssl does', async () => {
    const nonce = Buffer.from('c2ltdWxhdGVkIG5vbmNlIGJ5dGVz', 'base64');
    const created = '2024-05-01T12:00:00.000Z';
    const { stdout } = await run('bash', ['-c', `{ printf '%s' "$1" | base64 -d; printf '%s%s' "$2" "$3"; } | openssl dgst -sha1 -binary | base64`, '_', nonce.toString('base64'), created, 'secret']);
    expect(passwordDigest(nonce, created, 'secret')).toBe(stdout.trim());
  });
});

describe('OnvifClient against a fake device', () => {
  it('reads device information, profiles and stream addresses, and the address plays', async () => {
    const dev = await device();
    try {
      const client = new OnvifClient({ address: dev.address, username: 'admin', password: 'Pa ss:w0rd@1' });
      expect(await client.getDeviceInformation()).toEqual({ manufacturer: 'Vigil & Test', model: 'FAKE-IPC-2', firmwareVersion: 'V5.7.3 build 230101', serialNumber: 'SN0001', hardwareId: '88' });
      const streams = await client.streams();
      expect(streams.map((s) => [s.token, s.name, s.video])).toEqual([
        ['Profile_1', 'mainStream', { encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 3072, gop: 50 }],
        ['Profile_2', 'subStream', { encoding: 'H265', width: 640, height: 360, fps: 15, bitrateKbps: 512 }],
      ]);
      expect(streams[0]!.audio).toEqual({ encoding: 'G711', sampleRate: 8000, bitrateKbps: 64 });
      expect(streams[1]!.uri).toBe('rtsp://192.168.1.64:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2');
      expect(streams[1]!.url).toBe('rtsp://admin:Pa%20ss%3Aw0rd%401@192.168.1.64:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2');
      // The media service said 192.168.1.64; calls went to the address we were given.
      expect(dev.calls.filter((c) => c.op === 'GetProfiles').map((c) => c.path)).toEqual(['/onvif/Media']);
      expect(dev.calls.every((c) => c.ok)).toBe(true);
      const { stdout } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', streams[0]!.url], { timeout: 20_000 });
      expect(stdout.trim()).toBe('h264,1280,720');
    } finally {
      await dev.close();
    }
  }, 30_000);

  it('falls back to GetCapabilities when GetServices is not implemented', async () => {
    const dev = await device({ noGetServices: true });
    try {
      const client = new OnvifClient({ address: dev.address, username: 'admin', password: 'Pa ss:w0rd@1' });
      expect((await client.getProfiles()).map((p) => p.token)).toEqual(['Profile_1', 'Profile_2']);
      expect(dev.calls.map((c) => c.op)).toEqual(['GetServices', 'GetCapabilities', 'GetProfiles']);
    } finally {
      await dev.close();
    }
  });

  it('reports refused credentials as ONVIF_AUTH, by SOAP fault or by HTTP 401', async () => {
    for (const refuseWith of ['fault', 'http401'] as const) {
      const dev = await device({ refuseWith });
      try {
        const wrong = new OnvifClient({ address: dev.address, username: 'admin', password: 'nope' });
        await expect(wrong.getDeviceInformation()).rejects.toMatchObject({ code: 'ONVIF_AUTH' });
        const none = new OnvifClient({ address: dev.address });
        await expect(none.getDeviceInformation()).rejects.toMatchObject({ code: 'ONVIF_AUTH' });
      } finally {
        await dev.close();
      }
    }
  });

  it('signs tokens with the device clock when it is ten minutes off', async () => {
    const dev = await device({ clockSkewMs: 10 * 60_000 });
    try {
      const client = new OnvifClient({ address: dev.address, username: 'admin', password: 'Pa ss:w0rd@1' });
      await expect(client.getDeviceInformation()).rejects.toMatchObject({ code: 'ONVIF_AUTH' });
      const t = await client.getSystemDateAndTime();
      expect(Math.abs(t!.getTime() - Date.now() - 10 * 60_000)).toBeLessThan(2000);
      expect((await client.getDeviceInformation()).model).toBe('FAKE-IPC-2');
    } finally {
      await dev.close();
    }
  });

  it('gives up on a device that never answers, and on an endless reply', async () => {
    const silent = createServer(() => undefined);
    const flood = createServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n\r\n<s:Envelope>');
      const t = setInterval(() => s.write('x'.repeat(65536)), 1);
      s.on('close', () => clearInterval(t));
      s.on('error', () => clearInterval(t));
    });
    await Promise.all([silent, flood].map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))));
    try {
      const port = (srv: typeof silent) => (srv.address() as { port: number }).port;
      await expect(new OnvifClient({ address: `http://127.0.0.1:${port(silent)}/onvif/device_service`, timeoutMs: 300 }).getDeviceInformation()).rejects.toMatchObject({ code: 'ONVIF_TIMEOUT' });
      await expect(new OnvifClient({ address: `http://127.0.0.1:${port(flood)}/onvif/device_service` }).getDeviceInformation()).rejects.toMatchObject({ code: 'ONVIF_LIMIT' });
      expect(() => new OnvifClient({ address: 'ftp://camera/onvif' })).toThrow(expect.objectContaining({ code: 'ONVIF_ADDRESS' }));
    } finally {
      silent.close();
      flood.close();
    }
  });
});

describe('WS-Discovery probe (loopback only)', () => {
  it('finds the device, ignores replies to other probes, and reads its scopes', async () => {
    const dev = await device();
    try {
      const found = await probe({ target: { address: '127.0.0.1', port: dev.discoveryPort }, bindAddress: '127.0.0.1', timeoutMs: 400 });
      expect(found).toEqual([{
        endpoint: dev.endpoint,
        xaddrs: [dev.address, 'http://[fe80::1]/onvif/device_service'],
        types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
        scopes: expect.arrayContaining(['onvif://www.onvif.org/Profile/Streaming']),
        name: 'FAKE IPC',
        hardware: 'FAKE-IPC-2',
        from: '127.0.0.1',
      }]);
    } finally {
      await dev.close();
    }
  });

  it('returns nothing when nobody answers before the timeout', async () => {
    const t0 = Date.now();
    expect(await probe({ target: { address: '127.0.0.1', port: 9 }, bindAddress: '127.0.0.1', timeoutMs: 200 })).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
