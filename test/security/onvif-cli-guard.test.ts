// Issue 14, item 2 for the command line: `vigil onvif profiles` and `vigil onvif probe` (and the
// addresses WS-Discovery answers name) pass the camera source policy like every other path. A
// real ONVIF device and discovery responder on loopback; the policy of a deployment (the default
// camera networks, no loopback) refuses them, the tests' policy (loopback named) lets them through.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { onvifCommand } from '../../src/cli/commands/onvif.js';
import { configSchema } from '../../src/config/config.schema.js';
import { SourceRefusedError } from '../../src/ingest/errors.js';
import { SourceGuard } from '../../src/ingest/source-guard.js';
import { startOnvifDevice, type FakeDevice } from '../support/onvif-device.js';
import { TEST_CAMERA_NETWORKS } from '../support/sources.js';

const DEPLOYMENT_NETWORKS = configSchema.parse({}).media.cameraNetworks;
let dev: FakeDevice;

const deployment = () => new SourceGuard({ dataDir: null, fileRoots: [], networks: DEPLOYMENT_NETWORKS });
const withLoopback = () => new SourceGuard({ dataDir: null, fileRoots: [], networks: TEST_CAMERA_NETWORKS });

/** Runs the command, with what it wrote to stdout and stderr. */
async function run(args: string[], guard: SourceGuard): Promise<{ out: string; err: string; result: number | unknown }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    const result = await onvifCommand(args, guard).catch((x: unknown) => x);
    return { out, err, result };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  dev = await startOnvifDevice({
    username: 'admin',
    password: 'camera-password',
    profiles: [{ token: 'Profile_1', name: 'mainStream', encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 3072, streamUri: 'rtsp://192.168.1.64/main' }],
  });
});
afterAll(() => dev?.close());

describe('vigil onvif under the camera source policy', () => {
  it('profiles: a device on loopback is refused under a policy without loopback, and nothing is sent to it', async () => {
    const args = ['profiles', '--address', dev.address, '--user', 'admin', '--password', 'camera-password', '--json'];
    const refused = await run(args, deployment());
    expect(refused.result).toBeInstanceOf(SourceRefusedError);
    expect((refused.result as SourceRefusedError).reason).toBe('special-address');
    expect(dev.calls).toEqual([]);
    // The same command where loopback is a camera network reaches the device.
    const ok = await run(args, withLoopback());
    expect(ok.result).toBe(0);
    expect(JSON.parse(ok.out).streams[0].token).toBe('Profile_1');
    expect(dev.calls.length).toBeGreaterThan(0);
  });

  it('probe: a directed probe to loopback is refused under a policy without loopback', async () => {
    const r = await run(['probe', '--target', `127.0.0.1:${dev.discoveryPort}`, '--timeout', '300', '--json'], deployment());
    expect(r.result).toBeInstanceOf(SourceRefusedError);
  });

  it('probe: answers naming loopback or link-local addresses are left out unless the policy allows them', async () => {
    // Only the responder's own port is allowed (as the platform allows its simulator): the probe goes
    // out, and the device's service addresses (loopback, another port; link-local) are judged alone.
    const guard = deployment();
    guard.allowEndpoint('127.0.0.1', dev.discoveryPort);
    const args = ['probe', '--target', `127.0.0.1:${dev.discoveryPort}`, '--interface', '127.0.0.1', '--timeout', '400', '--json'];
    const left = await run(args, guard);
    expect(left.result).toBe(0);
    expect(JSON.parse(left.out)).toEqual([]);
    expect(left.err).toMatch(/1 answer\(s\) left out/);

    const shown = await run(args, withLoopback());
    expect(shown.result).toBe(0);
    const devices = JSON.parse(shown.out) as { endpoint: string; xaddrs: string[] }[];
    expect(devices.map((d) => d.endpoint)).toEqual([dev.endpoint]);
    // The link-local address the device also named is dropped even here.
    expect(devices[0]!.xaddrs).toEqual([dev.address]);
  });
});
