import { isFaultMode, type FaultMode } from '../../sim/camera.js';
import { SimGbDevice } from '../../sim/gb-device.js';
import { startSimulator } from '../../sim/simulator.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

export async function simCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    cameras: { type: 'string', default: '4' },
    port: { type: 'string', default: '8554' },
    host: { type: 'string', default: '127.0.0.1' },
    'control-port': { type: 'string', default: '8555' },
    fault: { type: 'string', multiple: true, default: [] },
    bitrate: { type: 'string' },
    gb28181: { type: 'string' },
    'gb-password': { type: 'string' },
    'gb-id': { type: 'string', default: '34020000001180000001' },
    'gb-platform-id': { type: 'string', default: '34020000002000000001' },
    'gb-tcp': { type: 'boolean' },
    'keyframe-on-demand': { type: 'boolean' },
  }, false);
  const gb = values.gb28181 ? /^([^:\s]+):(\d{1,5})$/.exec(values.gb28181) : undefined;
  if (values.gb28181 && !gb) throw new UsageError(`--gb28181 must be HOST:PORT (the platform's SIP server), got "${values.gb28181}"`);
  if (gb && !values['gb-password']) throw new UsageError('--gb28181 needs --gb-password (the device or domain password configured on the platform)');
  for (const k of ['gb-id', 'gb-platform-id'] as const) if (!/^\d{20}$/.test(values[k])) throw new UsageError(`--${k} must be a 20-digit GB/T 28181 ID, got "${values[k]}"`);
  const cameras = int(values.cameras, 'cameras')!;
  if (cameras < 1 || cameras > 10_000) throw new UsageError('--cameras must be between 1 and 10000');
  const faults: Record<string, FaultMode> = {};
  for (const f of values.fault ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(f);
    if (!m || !isFaultMode(m[2])) throw new UsageError(`--fault must look like cam3=black (modes: none, drop, stall, black, frozen, moved), got "${f}"`);
    faults[m[1]!] = m[2];
  }
  const bitrate = int(values.bitrate, 'bitrate');
  const sim = await startSimulator({
    cameras,
    port: int(values.port, 'port')!,
    host: values.host,
    controlPort: int(values['control-port'], 'control-port')!,
    faults,
    ...(bitrate ? { bitrateKbps: bitrate } : {}),
    ...(values['keyframe-on-demand'] ? { keyframeOnDemand: true } : {}),
    log: (m) => process.stderr.write(`sim: ${m}\n`),
  });
  let device: SimGbDevice | undefined;
  if (gb) {
    const id = values['gb-id'];
    device = new SimGbDevice({
      deviceId: id,
      password: values['gb-password']!,
      platform: { id: values['gb-platform-id'], host: gb[1]!, port: Number(gb[2]), transport: values['gb-tcp'] ? 'TCP' : 'UDP' },
      channels: sim.names.map((name, i) => ({ id: `${id.slice(0, 10)}131${String(i + 1).padStart(7, '0')}`, name, feed: sim.channelFeed(), fields: { Info: { PTZType: 3 } } })),
    });
    try {
      await device.start();
    } catch (e) {
      await device.close();
      await sim.close();
      throw new UsageError(`the simulated GB/T 28181 device could not register to ${values.gb28181}: ${(e as Error).message}`);
    }
    process.stderr.write(`GB/T 28181 device ${id} registered to ${values.gb28181} with ${sim.names.length} channel(s)\n`);
  }
  const shown = sim.urls.length > 6 ? [...sim.urls.slice(0, 3), '…', ...sim.urls.slice(-2)] : sim.urls;
  process.stderr.write(
    `Simulating ${cameras} camera${cameras === 1 ? '' : 's'}:\n${shown.map((u) => `  ${u}`).join('\n')}\n` +
      `Control: ${sim.controlUrl}/cameras   (POST …/cameras/cam1/fault {"mode":"black"})\nPress Ctrl+C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await device?.unregister().catch(() => undefined);
  await device?.close();
  await sim.close();
  return 0;
}
