// The upper platform of `npm run bench:cascade`, in a process of its own so the lower's cost of
// forwarding is measured without the upper's cost of receiving. Arguments: <dataDir> <password>
// <channels>. Opens its own database and GB/T 28181 platform, prints {"port":N}, then
// {"catalog":{…}} once the lower's catalog is in its registry. Commands, one JSON line each on
// stdin, each answered with one JSON line on stdout:
//   {"cpu":S}                          its own CPU (% of a core) over S seconds, pictures received
//   {"invite":M,"transport":T,"lower":ID}  plays M channels at once: per stream its channel, answered and
//                                      first-frame ms, and when its INVITE went (`at`, ms since the epoch)
//   {"close":true}                     closes the streams
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { configSchema } from '../src/config/config.schema.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/domain/clock.js';
import { openGb28181 } from '../src/gb28181/open.js';
import type { GbMediaTransport, PlaySession } from '../src/gb28181/play.js';
import { openContext } from '../src/services/context.js';

const [dataDir, password, channelsText] = process.argv.slice(2);
const UPPER = '34010000002000000001';
const channels = Number(channelsText);
const logger = pino({ level: 'warn' }, destination(2));
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epoch = (t: number) => performance.timeOrigin + t;

const config = loadConfig({ env: { VIGIL_DATA_DIR: join(dataDir!, 'data') }, cwd: dataDir! });
const ctx = await openContext(config, { logger });
const region = await ctx.repos.organisations.create({ kind: 'platform', name: 'Bench city', level: 'city', regionCode: '340100' }, Date.now());
const settings = configSchema.parse({ gb28181: { sipId: UPPER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: 37000, mediaPortMax: 37099, domainPassword: password, defaultRegionId: region.id } }).gb28181;
const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: ctx.repos, registry: ctx.registry, log: ctx.access.log, clock: systemClock, logger });

let registeredAt = 0;
let cpuAtRegister = process.cpuUsage();
gb.platform.on('registered', () => {
  registeredAt = performance.now();
  cpuAtRegister = process.cpuUsage();
});
gb.platform.on('catalog', (id, outcome) => {
  const c = process.cpuUsage(cpuAtRegister);
  say({ catalog: { from: id, cameras: outcome.cameras, syncSec: (performance.now() - registeredAt) / 1000, cpuMs: (c.user + c.system) / 1000, complete: outcome.cameras === channels } });
});
say({ port: gb.port });

const sessions: PlaySession[] = [];
let units = 0;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line) as { cpu?: number; invite?: number; transport?: GbMediaTransport; lower?: string; close?: boolean };
  if (command.cpu !== undefined) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const u0 = units;
    await sleep(command.cpu * 1000);
    const c = process.cpuUsage(c0);
    say({ cpuPct: ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100, units: units - u0 });
  } else if (command.invite !== undefined) {
    const c0 = process.cpuUsage();
    const timings = await Promise.all(Array.from({ length: command.invite }, async (_, i) => {
      const channel = `3401040000132${String(i + 1).padStart(7, '0')}`;
      const t0 = performance.now();
      const s = await gb.player.play(command.lower, channel, command.transport ?? 'udp');
      const answered = performance.now() - t0;
      sessions.push(s);
      await new Promise<void>((resolve) => s.once('unit', () => resolve()));
      const first = performance.now() - t0;
      s.on('unit', () => units++);
      // The same moments on the machine's clock (ms since the epoch, fractional), which the lower's
      // process shares, so the bench can split each stream's wait between the two sides.
      return { channel, answered, first, at: epoch(t0) };
    }));
    const c = process.cpuUsage(c0);
    say({ invited: timings, cpuMs: (c.user + c.system) / 1000 });
  } else if (command.close) {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    say({ closed: true });
  }
}
await gb.close();
await ctx.close();
process.exit(0);
