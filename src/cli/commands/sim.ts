import { isFaultMode, type FaultMode } from '../../sim/camera.js';
import { startSimulator } from '../../sim/simulator.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

export const simHelp = `vigil sim --cameras N [--port 8554] [--host 127.0.0.1] [--control-port 8555] [--fault camK=MODE …]
  Serves N simulated RTSP cameras at rtsp://host:port/cam1 … camN (H.264 1280x720, 25 fps,
  ~3 Mbit/s, wall-clock time burned in). Faults: none, drop, stall, black, frozen, moved; change
  them at run time with  curl -X POST http://host:control-port/cameras/cam3/fault -d '{"mode":"drop"}'`;

export async function simCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    cameras: { type: 'string', default: '4' },
    port: { type: 'string', default: '8554' },
    host: { type: 'string', default: '127.0.0.1' },
    'control-port': { type: 'string', default: '8555' },
    fault: { type: 'string', multiple: true, default: [] },
    bitrate: { type: 'string' },
  }, false);
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
    log: (m) => process.stderr.write(`sim: ${m}\n`),
  });
  const shown = sim.urls.length > 6 ? [...sim.urls.slice(0, 3), '…', ...sim.urls.slice(-2)] : sim.urls;
  process.stderr.write(
    `Simulating ${cameras} camera${cameras === 1 ? '' : 's'}:\n${shown.map((u) => `  ${u}`).join('\n')}\n` +
      `Control: ${sim.controlUrl}/cameras   (POST …/cameras/cam1/fault {"mode":"black"})\nPress Ctrl+C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.close();
  return 0;
}
