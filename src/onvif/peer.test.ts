// The ONVIF device our client is tested against (test/support/onvif-device.ts, written here)
// checked with a widely used client we did not write: agsh/onvif (npm `onvif`). Both reading the
// device the same way guards against the client and the fake sharing one misunderstanding of the
// protocol. (This test found that the fake lacked GetVideoSources, which Profile S requires and
// agsh/onvif asks for on connecting.)
import onvif from 'onvif';
import { describe, expect, it } from 'vitest';
import { startOnvifDevice, type FakeDevice } from '../../test/support/onvif-device.js';
import { OnvifClient } from './device.js';

const USER = 'admin';
const PASSWORD = 'Pa ss:w0rd@1';

interface PeerProfile {
  $: { token: string };
  name: string;
  videoEncoderConfiguration?: { encoding: string; resolution: { width: number; height: number }; rateControl?: { frameRateLimit: number; bitrateLimit: number } };
}

interface PeerCam {
  profiles: PeerProfile[];
  getStreamUri(o: { protocol: string; profileToken: string }, cb: (err: Error | null, r: { uri: string }) => void): void;
  getDeviceInformation(cb: (err: Error | null, r: Record<string, unknown>) => void): void;
}

/** Connects agsh/onvif's Cam to the device (it reads the clock, services, profiles and sources). */
function connect(dev: FakeDevice, password: string): Promise<PeerCam> {
  const u = new URL(dev.address);
  return new Promise((resolve, reject) => {
    const warnings: string[] = [];
    const cam = new (onvif as unknown as { Cam: new (o: object, cb: (err: Error | null) => void) => PeerCam & { on(e: string, f: (w: string) => void): void } }).Cam(
      { hostname: u.hostname, port: Number(u.port), path: u.pathname, username: USER, password, timeout: 5000, preserveAddress: true },
      (err) => (err ? reject(err) : warnings.length ? reject(new Error(`agsh/onvif warned: ${warnings.join('; ')}`)) : resolve(cam)),
    );
    cam.on('warning', (w) => warnings.push(String(w)));
  });
}

const call = <T>(f: (cb: (err: Error | null, r: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r))));

describe('the ONVIF device our tests use, read by agsh/onvif', () => {
  it('gives the peer the same device, profiles and stream addresses our client reads', async () => {
    const dev = await startOnvifDevice({
      username: USER,
      password: PASSWORD,
      profiles: [
        { token: 'Profile_1', name: 'mainStream', encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, streamUri: 'rtsp://192.168.1.64:554/Streaming/Channels/101' },
        { token: 'Profile_2', name: 'subStream', encoding: 'H265', width: 640, height: 360, fps: 15, bitrateKbps: 512, streamUri: 'rtsp://192.168.1.64:554/Streaming/Channels/102' },
      ],
    });
    try {
      const cam = await connect(dev, PASSWORD);
      const peer = cam.profiles.map((p) => ({
        token: p.$.token,
        name: p.name,
        encoding: p.videoEncoderConfiguration?.encoding,
        width: p.videoEncoderConfiguration?.resolution.width,
        height: p.videoEncoderConfiguration?.resolution.height,
      }));
      const ours = await new OnvifClient({ address: dev.address, username: USER, password: PASSWORD }).streams();
      expect(peer).toEqual(ours.map((s) => ({ token: s.token, name: s.name, encoding: s.video?.encoding, width: s.video?.width, height: s.video?.height })));
      expect(peer.map((p) => p.token)).toEqual(['Profile_1', 'Profile_2']);
      for (const s of ours) {
        const r = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP', profileToken: s.token }, cb));
        expect(r.uri).toBe(s.uri);
      }
      const info = await call<Record<string, unknown>>((cb) => cam.getDeviceInformation(cb));
      expect(info).toMatchObject({ manufacturer: 'Vigil & Test', model: 'FAKE-IPC-2', serialNumber: 'SN0001' });
      // The peer signed every call after the clock with a WS-Security digest the device accepted.
      expect(dev.calls.filter((c) => c.op !== 'GetSystemDateAndTime').every((c) => c.ok && c.user === USER)).toBe(true);
    } finally {
      await dev.close();
    }
  }, 30_000);

  it('refuses the peer with the wrong password, as it refuses our client', async () => {
    const dev = await startOnvifDevice({ username: USER, password: PASSWORD, profiles: [] });
    try {
      await expect(connect(dev, 'wrong')).rejects.toThrow();
      expect(dev.calls.some((c) => !c.ok)).toBe(true);
      await expect(new OnvifClient({ address: dev.address, username: USER, password: 'wrong' }).streams()).rejects.toMatchObject({ code: 'ONVIF_AUTH' });
    } finally {
      await dev.close();
    }
  }, 30_000);
});
