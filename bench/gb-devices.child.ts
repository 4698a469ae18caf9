// The simulated GB/T 28181 devices of `npm run bench:gb`, in a process of their own so the
// platform's CPU is measured without them. Arguments: <devices> <platformPort> <password>
// <keepaliveSeconds> [width height bitrateKbps [first batch encode]]: devices number first …
// first+devices-1 (default 1), registering `batch` at a time (default 50; with the devices split
// over several of these processes each takes its share of the 50); encode 0: this process holds
// none of the streaming devices (the first M), so it starts no encoder. Registers every device, prints one
// JSON line {"registerMs":[…],"challengeMs":[…],"authorisedMs":[…],"cpuMsPerDevice","cpuPct",
// "loopDelayMs":{…}} (both legs of each registration, this process's CPU while they registered,
// and how late its event loop ran), then keeps them alive and answers INVITEs with the one shared
// encoder's pictures in PS over RTP, until SIGTERM; then prints {"framesSent":n}.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SharedEncoder } from '../src/sim/encoder.js';
import { SimGbDevice } from '../src/sim/gb-device.js';
import { defaultFontFile } from '../src/sim/picture.js';

const [n, port, password, keepalive, width, height, bitrate, firstArg, batchArg, encodeArg] = process.argv.slice(2);
const encode = encodeArg !== '0';
const first = Number(firstArg) || 1;
const batch = Number(batchArg) || 50;
const encoder = new SharedEncoder({ kind: 'live', width: Number(width) || 1280, height: Number(height) || 720, fps: 25, fontFile: defaultFontFile(), bitrateKbps: Number(bitrate) || 3000, gop: 25 });
const devices: SimGbDevice[] = [];
for (let i = first; i < first + Number(n); i++) {
  const seq = String(i).padStart(7, '0');
  devices.push(new SimGbDevice({
    deviceId: `3402000000118${seq}`,
    password: password!,
    platform: { id: '34020000002000000001', host: '127.0.0.1', port: Number(port) },
    channels: [{ id: `3402000000131${seq}`, name: `GB camera ${i}`, feed: encoder, fields: { Info: { PTZType: 3 } } }],
    keepaliveSeconds: Number(keepalive) || 60,
  }));
}
// How late this process's event loop ran while the devices registered: a 200 that came while it
// was busy is read late, and the device sees a slower answer than the platform gave.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let i = 0; i < devices.length; i += batch) await Promise.all(devices.slice(i, i + batch).map((d) => d.start()));
// The encoder stands for the cameras' own chips: started once they are registered, so its x264
// does not take the CPU the registrations are timed on (it ran through them before).
loop.disable();
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const wallMs = performance.now() - wall0;
if (encode) {
  encoder.start();
  await encoder.ready(60_000);
}
const r1 = (x: number) => Math.round(x * 10) / 10;
process.stdout.write(`${JSON.stringify({
  registerMs: devices.map((d) => r1(d.registerMs)),
  challengeMs: devices.map((d) => r1(d.registerLegsMs[0])),
  authorisedMs: devices.map((d) => r1(d.registerLegsMs[1])),
  cpuMsPerDevice: Math.round((cpuMs / devices.length) * 100) / 100,
  cpuPct: r1((cpuMs / wallMs) * 100),
  loopDelayMs: { p50: r1(loop.percentile(50) / 1e6), p95: r1(loop.percentile(95) / 1e6), max: r1(loop.max / 1e6) },
})}\n`);
process.once('SIGTERM', () => {
  let framesSent = 0;
  for (const d of devices) for (const s of d.sessions.values()) framesSent += s.sender.framesSent;
  process.stdout.write(`${JSON.stringify({ framesSent })}\n`);
  void Promise.all(devices.map((d) => d.close())).finally(() => {
    encoder.close();
    process.exit(0);
  });
});
