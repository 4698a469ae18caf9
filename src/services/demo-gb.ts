// The demo's GB/T 28181 side (`npm start`): the platform role beside the others, with a domain
// password of its own, and a couple of simulated GB devices (NVRs, one camera channel each) that
// register to it with digest and answer INVITEs from one shared encoder. Their channels are
// camera points of the demo city, in service, so they record and show on the wall like the
// simulated RTSP cameras; the catalog then fills in what the devices say. The devices themselves
// are started by `vigil serve --demo` (src/cli/commands/demo-gb-devices.ts: only commands run the simulator).
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Context } from './context.js';

export const DEMO_GB_DEVICES = 2;
export const demoGbDevice = (i: number) => `3401000000118${String(i).padStart(7, '0')}`;
export const demoGbChannel = (i: number) => `3401000000131${String(i).padStart(7, '0')}`;

/** The demo's configuration: the gb28181 role on, a generated domain password unless one is set. */
export function withDemoGb(config: Config): Config {
  const services = config.services.includes('gb28181') ? config.services : [...config.services, 'gb28181' as const];
  return { ...config, services, gb28181: { ...config.gb28181, domainPassword: config.gb28181.domainPassword ?? randomBytes(12).toString('hex') } };
}

/** Camera points for the demo's GB channels (only into a freshly seeded demo city). */
export async function seedDemoGb(ctx: Context, cityId: number): Promise<void> {
  for (let i = 1; i <= DEMO_GB_DEVICES; i++) {
    await ctx.registry.cameras.register({
      gbId: demoGbChannel(i), name: `GB 通道 ${i} GB channel ${i}`, deviceType: 'dome', longitude: 117.3 + i * 0.003, latitude: 31.85, address: `GB/T 28181 demo channel ${i}`,
      directionDeg: 90, fovDeg: 90, placeCategory: 'road-key-sections', keyPosition: false, regionId: cityId,
      ownerUnitId: null, userUnitId: null, managingUnitId: null, maintainerUnitId: null, funding: 'government', signage: true,
      inServiceDate: '2025-06-01', status: 'in_service', sourceUrl: `gb28181://${demoGbDevice(i)}/${demoGbChannel(i)}`,
    });
  }
}
