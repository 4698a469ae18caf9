// The demo's GB/T 28181 side (`npm start`): the platform role beside the others, with a domain
// password of its own, and a couple of simulated GB devices (NVRs, one camera channel each) that
// register to it with digest and answer INVITEs from one shared encoder. Their channels are
// camera points of the demo city, in service, so they record and show on the wall like the
// simulated RTSP cameras; the catalog then fills in what the devices say.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { SharedEncoder } from '../sim/encoder.js';
import { SimGbDevice } from '../sim/gb-device.js';
import { defaultFontFile } from '../sim/picture.js';
import type { Context } from './context.js';

export const DEMO_GB_DEVICES = 2;
const device = (i: number) => `3401000000118${String(i).padStart(7, '0')}`;
const channel = (i: number) => `3401000000131${String(i).padStart(7, '0')}`;

/** The demo's configuration: the gb28181 role on, a generated domain password unless one is set. */
export function withDemoGb(config: Config): Config {
  const services = config.services.includes('gb28181') ? config.services : [...config.services, 'gb28181' as const];
  return { ...config, services, gb28181: { ...config.gb28181, domainPassword: config.gb28181.domainPassword ?? randomBytes(12).toString('hex') } };
}

/** Camera points for the demo's GB channels (only into a freshly seeded demo city). */
export async function seedDemoGb(ctx: Context, cityId: number): Promise<void> {
  for (let i = 1; i <= DEMO_GB_DEVICES; i++) {
    await ctx.registry.cameras.register({
      gbId: channel(i), name: `GB 通道 ${i} GB channel ${i}`, deviceType: 'dome', longitude: 117.3 + i * 0.003, latitude: 31.85, address: `GB/T 28181 demo channel ${i}`,
      directionDeg: 90, fovDeg: 90, placeCategory: 'road-key-sections', keyPosition: false, regionId: cityId,
      ownerUnitId: null, userUnitId: null, managingUnitId: null, maintainerUnitId: null, funding: 'government', signage: true,
      inServiceDate: '2025-06-01', status: 'in_service', sourceUrl: `gb28181://${device(i)}/${channel(i)}`,
    });
  }
}

/** Starts the simulated devices against this process's platform; returns how to stop them. */
export async function startDemoGbDevices(ctx: Context, platformPort: number): Promise<() => Promise<void>> {
  const g = ctx.config.gb28181;
  const encoder = new SharedEncoder({ kind: 'live', width: 640, height: 360, fps: 25, fontFile: defaultFontFile(), bitrateKbps: 800, gop: 25 });
  encoder.start();
  const devices: SimGbDevice[] = [];
  for (let i = 1; i <= DEMO_GB_DEVICES; i++) {
    const d = new SimGbDevice({
      deviceId: device(i),
      password: g.domainPassword!,
      platform: { id: g.sipId, host: '127.0.0.1', port: platformPort },
      channels: [{ id: channel(i), name: `GB 通道 ${i} GB channel ${i}`, feed: encoder, fields: { Info: { PTZType: 1 } } }],
    });
    devices.push(d);
    await d.start().catch((e: unknown) => ctx.logger.warn({ err: e, deviceId: d.deviceId }, 'demo GB/T 28181 device did not register'));
  }
  ctx.logger.info({ devices: devices.length, port: platformPort }, 'simulated GB/T 28181 devices registered');
  return async () => {
    await Promise.all(devices.map((d) => d.close()));
    encoder.close();
  };
}
