// The demo's simulated GB/T 28181 devices (`vigil serve --demo`): NVRs with one camera channel
// each, registering with digest to this process's platform and answering INVITEs from one shared
// encoder. A command file, because only commands may run the simulator.
import type { Context } from '../../services/context.js';
import { DEMO_GB_DEVICES, demoGbChannel, demoGbDevice } from '../../services/demo-gb.js';
import { SharedEncoder } from '../../sim/encoder.js';
import { SimGbDevice } from '../../sim/gb-device.js';
import { defaultFontFile } from '../../sim/picture.js';

/** Starts the simulated devices against this process's platform; returns how to stop them. */
export async function startDemoGbDevices(ctx: Context, platformPort: number): Promise<() => Promise<void>> {
  const g = ctx.config.gb28181;
  const encoder = new SharedEncoder({ kind: 'live', width: 640, height: 360, fps: 25, fontFile: defaultFontFile(), bitrateKbps: 800, gop: 25 });
  encoder.start();
  const devices: SimGbDevice[] = [];
  // What the devices say they recorded themselves (RecordInfo): the 12 hours before the demo began,
  // which the playback timeline shows beside ours and backfill (补录) can download.
  const began = Math.floor(ctx.clock.now() / 1000) * 1000;
  const records = [{ startMs: began - 12 * 3_600_000, endMs: began }];
  for (let i = 1; i <= DEMO_GB_DEVICES; i++) {
    const d = new SimGbDevice({
      deviceId: demoGbDevice(i),
      password: g.domainPassword!,
      platform: { id: g.sipId, host: '127.0.0.1', port: platformPort },
      channels: [{ id: demoGbChannel(i), name: `GB 通道 ${i} GB channel ${i}`, feed: encoder, fields: { Info: { PTZType: 1 } }, records }],
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
