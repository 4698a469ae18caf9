// `vigil sim --gb28181 HOST:PORT` as a developer runs it (a real process): the simulated cameras
// register as one NVR's channels, the catalog lists them, and a channel INVITEd streams pictures.
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { openGb28181 } from '../../src/gb28181/open.js';
import { testApp } from '../support/app.js';
import { vigilEntry } from '../support/vigil-entry.js';

it('vigil sim --gb28181 registers the simulated cameras as GB/T 28181 channels that stream', async () => {
  const t = await testApp('sqlite');
  const region = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340200' }, Date.now());
  const base = 38000 + Math.floor(Math.random() * 100) * 10;
  const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: base, mediaPortMax: base + 9, domainPassword: 'pw', defaultRegionId: region.id } }).gb28181;
  const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }) });
  const catalogued = new Promise((r) => gb.platform.once('catalog', r));
  const child = spawn(process.execPath, [...vigilEntry(), 'sim', '--cameras', '2', '--port', '0', '--control-port', '0', '--gb28181', `127.0.0.1:${gb.port}`, '--gb-password', 'pw'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await catalogued;
    const d = (await t.repos.gbDevices.get('34020000001180000001'))!;
    expect(d.online).toBe(true);
    expect((await t.repos.gbDevices.channels(d.id)).map((c) => [c.channelId, c.name])).toEqual([['34020000001310000001', 'cam1'], ['34020000001310000002', 'cam2']]);
    const session = await gb.player.play(undefined, '34020000001310000002');
    const units = await new Promise<number>((resolve) => {
      let k = 0;
      session.on('unit', () => ++k === 25 && resolve(k));
    });
    expect(units).toBe(25);
    await session.close();
    expect(err).toMatch(/GB\/T 28181 device 34020000001180000001 registered to 127\.0\.0\.1:\d+ with 2 channel\(s\)/);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await gb.close();
    await t.close();
  }
}, 200_000);
