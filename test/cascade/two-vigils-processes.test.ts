// Two Vigils as a user runs them (issue 19, item 4): a district Vigil (SQLite, simulated cameras,
// the api and cascade roles) and a city Vigil (PostgreSQL, the api and gb28181 roles) are two
// `vigil serve` processes, each with its own config file; the district's config names the city as
// its upper platform. The district's approver shares one of two cameras with the city through the
// district's API (an API token made with `vigil user token`); when the city comes up the district
// registers, and the city's catalog holds exactly that camera. A duty operator of the city watches
// it through the city's live API (stream token, LL-HLS): fMP4 bytes arrive that crossed both
// platforms over GB/T 28181. Revoking the share on the district ends the stream at the city: the
// district registers the end ("share revoked"), refuses the city's attempt to open it again, and
// the city's session gets no new video. Nothing mocked: two processes, two databases, real video.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { runVigil } from '../support/cli.js';
import { freshPostgresUrl } from '../support/databases.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { vigilEntry } from '../support/vigil-entry.js';

const CITY = '34010000002000000001';
const DISTRICT = '34010400002000000001';

/**
 * A port that is free now, below the ephemeral range: a port the kernel hands out for listen(0) is
 * also what it hands out as the source port of outgoing connections, and on a busy machine one of
 * those took it between this check and the server's listen (EADDRINUSE).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Vigil {
  dir: string;
  env: Record<string, string>;
  url: string;
  cli(args: string[]): Promise<string>;
  serve(): Promise<void>;
  stop(): Promise<void>;
  /** Ends it as a crash would (SIGKILL): nothing is said to its peers. */
  kill(): Promise<void>;
  log(): string;
  /** Rewrites its config file with these top-level sections changed. */
  configure(changes: Record<string, unknown>): void;
}

/** A Vigil installation: a folder with its config file; `vigil` commands and `vigil serve` run in it. */
async function install(name: string, databaseUrl: string | undefined, config: Record<string, unknown>): Promise<Vigil> {
  const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  mkdirSync(join(dir, 'data'));
  const port = await freePort();
  let written = { ...config, http: { host: '127.0.0.1', port } };
  writeFileSync(join(dir, 'vigil.config.json'), JSON.stringify(written, null, 2));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_LOG_LEVEL: 'warn', ...(databaseUrl ? { VIGIL_DATABASE_URL: databaseUrl } : {}) };
  let child: ChildProcess | undefined;
  let output = '';
  return {
    dir,
    env,
    url: `http://127.0.0.1:${port}/api/v1`,
    cli: async (args) => (await runVigil(args, env, dir)).stdout,
    serve: async () => {
      const from = output.length;
      child = spawn(process.execPath, [...vigilEntry(), 'serve'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output}`))));
      await Promise.race([exited, until(`${name} serving`, async () => /is running/.test(output.slice(from)))]);
    },
    stop: async () => {
      if (!child || child.exitCode !== null) return;
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
    kill: async () => {
      if (!child || child.exitCode !== null) return;
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
    log: () => output,
    configure: (changes) => {
      written = { ...written, ...changes };
      writeFileSync(join(dir, 'vigil.config.json'), JSON.stringify(written, null, 2));
    },
  };
}

describe('two Vigils in two processes: a district shares a camera with the city', () => {
  let district: Vigil;
  let city: Vigil;
  let approverToken: string;
  let operatorToken: string;
  let auditorToken: string;
  let cameraIds: number[];
  let regionId: number;
  let shareId: number;
  let cityStarted = 0;

  const api = async (v: Vigil, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${v.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  beforeAll(async () => {
    const simPort = await freePort();
    const sipPort = await freePort();
    const cascadePort = await freePort();
    const media = 36000 + Math.floor(Math.random() * 2000) * 10;
    // The city's catalog subscription to the district lasts 20 s, so it is refreshed while the tests run.
    const cityGb = { sipId: CITY, host: '127.0.0.1', port: sipPort, publicAddress: '127.0.0.1', mediaPortMin: media, mediaPortMax: media + 9, domainPassword: 'city-secret', catalogSubscribeSeconds: 20 };
    city = await install('city', await freshPostgresUrl(), { services: ['api', 'gb28181'], gb28181: cityGb });
    district = await install('district', undefined, {
      services: ['api', 'cascade'],
      simulator: { cameras: 2, port: simPort },
      media: { cameraNetworks: ['127.0.0.1/32'] },
      cascade: { sipId: DISTRICT, host: '127.0.0.1', port: cascadePort, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: CITY, address: '127.0.0.1', port: sipPort, password: 'city-secret', keepaliveSeconds: 2, retrySeconds: 1 }] },
    });

    // Each installation's commands one after another (one SQLite file takes one writer), the two
    // installations side by side: neither reads what the other's commands write.
    const districtReady = (async () => {
      // The district: its two simulated cameras in the registry, an approver with an API token.
      await district.cli(['user', 'add', '--login', 'approver', '--name', '审批人']);
      const repos = (url: string) => {
        const db = openDatabase(url);
        return { db, repos: createRepositories(db) };
      };
      const d = repos(`sqlite:${join(district.env.VIGIL_DATA_DIR!, 'vigil.db')}`);
      cameraIds = await seedRecordableCameras(d.repos, [1, 2].map((i) => `rtsp://127.0.0.1:${simPort}/cam${i}`));
      regionId = (await d.repos.cameras.get(cameraIds[0]!))!.regionId!;
      await d.db.close();
      await district.cli(['user', 'grant', 'approver', 'approver']);
      approverToken = (await district.cli(['user', 'token', 'approver', '--permissions', 'share:grant', '--name', '联网共享'])).trim().split('\n').at(-1)!;
      await district.cli(['user', 'add', '--login', 'auditor', '--name', '审计员']);
      await district.cli(['user', 'grant', 'auditor', 'auditor']);
      auditorToken = (await district.cli(['user', 'token', 'auditor', '--permissions', 'audit:read', '--name', '审计'])).trim().split('\n').at(-1)!;
    })();
    const cityReady = (async () => {
      // The city: its region (where the catalog's channels go), a duty operator with an API token for live view.
      const org = /created platform (\d+)/.exec(await city.cli(['org', 'add', '--kind', 'platform', '--name', '合肥市', '--level', 'city', '--region-code', '340100']))![1]!;
      city.configure({ gb28181: { ...cityGb, defaultRegionId: Number(org) } });
      await city.cli(['user', 'add', '--login', 'duty', '--name', '值班员']);
      await city.cli(['user', 'grant', 'duty', 'duty_operator']);
      operatorToken = (await city.cli(['user', 'token', 'duty', '--permissions', 'live:view', '--name', '监控'])).trim().split('\n').at(-1)!;
    })();
    await Promise.all([districtReady, cityReady]);
  }, 300_000);

  afterAll(async () => {
    await district?.stop();
    await city?.stop();
    for (const v of [district, city]) if (v) rmSync(v.dir, { recursive: true, force: true });
  });

  it('the city catalogs the shared camera, receives its live video, and loses it when the share is revoked', async (t) => {
    t.onTestFailed(() => console.error(`--- district ---\n${district.log()}\n--- city ---\n${city.log()}`));
    // The district runs first and shares camera 1 (of 2) with the city, which is not up yet.
    await district.serve();
    const granted = await api(district, approverToken, 'POST', '/shares', {
      organisationId: regionId, recipient: { kind: 'platform', ref: CITY }, recipientName: '合肥市平台', rights: ['catalog', 'live'], cameraIds: [cameraIds[0]],
      validFrom: Date.now() - 1000, validTo: Date.now() + 86_400_000, purpose: '市区两级联网', approvalDocument: '〔2026〕31号',
    });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    shareId = granted.body.id;

    // The city comes up; the district registers and the city asks its catalog.
    await city.serve();
    cityStarted = Date.now();
    const channel = '34010400001320000001';
    const c = openDatabase(city.env.VIGIL_DATABASE_URL!);
    const cr = createRepositories(c);
    const cityCamera = await until('the shared camera in the city\'s registry', async () => (await cr.cameras.getByGbId(channel)) ?? false);
    expect(cityCamera.sourceUrl).toBe(`gb28181://${DISTRICT}/${channel}`);
    const device = (await cr.gbDevices.get(DISTRICT))!;
    expect(device.online).toBe(true);
    expect((await cr.gbDevices.channels(device.id)).map((ch) => ch.channelId)).toEqual([channel]);
    // The camera not shared is not there.
    expect(await cr.cameras.getByGbId('34010400001320000002')).toBeUndefined();
    // Put in service at the city (what its registry staff do once the point is checked).
    await cr.cameras.update(cityCamera.id, { ...cityCamera, status: 'in_service' } as never, Date.now());
    await c.close();

    // The duty operator watches it through the city's live API.
    const issued = await api(city, operatorToken, 'POST', '/stream-tokens', { cameraId: cityCamera.id, kind: 'live' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const opened = await fetch(`${city.url}/live/${cityCamera.id}/hls?token=${encodeURIComponent(issued.body.token)}`);
    expect(opened.status, await opened.clone().text()).toBe(200);
    const { playlistUrl } = (await opened.json()) as { playlistUrl: string };
    const origin = new URL(city.url).origin;
    const parts = async () => {
      const text = await (await fetch(`${origin}${playlistUrl}`)).text();
      return [...text.matchAll(/URI="(part-\d+-\d+\.m4s)"/g)].map((m) => m[1]!);
    };
    const base = playlistUrl.replace(/index\.m3u8$/, '');
    await until('video parts at the city', async () => (await parts()).length >= 3);
    const init = Buffer.from(await (await fetch(`${origin}${base}init.mp4`)).arrayBuffer());
    expect(init.subarray(4, 8).toString()).toBe('ftyp');
    const first = (await parts())[0]!;
    const part = Buffer.from(await (await fetch(`${origin}${base}${first}`)).arrayBuffer());
    expect(part.includes(Buffer.from('moof'))).toBe(true);
    expect(part.includes(Buffer.from('mdat'))).toBe(true);

    // Revoke on the district: the stream to the city ends, registered there.
    const revoked = await api(district, approverToken, 'POST', `/shares/${shareId}/revoke`, { reason: '联网协议到期' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const audit = async (action: string, outcome: string) => ((await api(district, auditorToken, 'GET', `/audit/entries?action=${action}&outcome=${outcome}&limit=50`)).body?.items ?? []) as { target?: string; destination?: string; detail?: Record<string, unknown> }[];
    const ended = await until('the district registered the end of the stream', async () => (await audit('view', 'success')).find((e) => e.target === `live stream of channel ${channel} ended`));
    expect(ended).toMatchObject({ destination: 'upper platform 合肥市平台', detail: expect.objectContaining({ reason: 'share revoked' }) });
    // The city tries to open it again and is refused; from then on its session gets nothing new.
    const refusals = async () => (await audit('view', 'refused')).filter((e) => (e.target ?? '').includes(channel)).length;
    await until('the district refused the city again', async () => (await refusals()) >= 1);
    const after = await parts();
    expect(after.length).toBeGreaterThan(0);
    const seen = await refusals();
    await until('another refused attempt', async () => (await refusals()) > seen);
    expect((await parts()).at(-1)).toBe(after.at(-1));
  }, 400_000);

  it('a share granted while both run reaches the city at once and a revoke takes it off, also after either side restarts', async (t) => {
    t.onTestFailed(() => console.error(`--- district ---\n${district.log()}\n--- city ---\n${city.log()}`));
    const c = openDatabase(city.env.VIGIL_DATABASE_URL!);
    const cr = createRepositories(c);
    try {
      const second = '34010400001320000002';
      const channels = async () => {
        const d = await cr.gbDevices.get(DISTRICT);
        return d ? (await cr.gbDevices.channels(d.id)).map((ch) => ch.channelId) : [];
      };
      const share = async (doc: string) => {
        const granted = await api(district, approverToken, 'POST', '/shares', {
          organisationId: regionId, recipient: { kind: 'platform', ref: CITY }, recipientName: '合肥市平台', rights: ['catalog'], cameraIds: [cameraIds[1]],
          validFrom: Date.now() - 1000, validTo: Date.now() + 86_400_000, purpose: '市区两级联网', approvalDocument: doc,
        });
        expect(granted.status, JSON.stringify(granted.body)).toBe(201);
        return granted.body.id as number;
      };
      const revoke = async (id: number) => expect((await api(district, approverToken, 'POST', `/shares/${id}/revoke`, { reason: '联网协议到期' })).status).toBe(200);
      // The revoke of the first test already took its channel off the city, by NOTIFY DEL.
      await until('the revoked channel off the city', async () => (await channels()).length === 0);
      // Past the subscription's first 20 s: only a refresh keeps it alive now.
      while (Date.now() - cityStarted < 25_000) await new Promise((r) => setTimeout(r, 500));
      const registeredAt = (await cr.gbDevices.get(DISTRICT))!.registeredAt;
      const first = await share('〔2026〕32号');
      await until('the new share at the city', async () => (await channels()).includes(second));
      // It came by the subscription: the district did not register again.
      expect((await cr.gbDevices.get(DISTRICT))!.registeredAt).toBe(registeredAt);
      await revoke(first);
      await until('the revoked share off the city', async () => !(await channels()).includes(second));

      // The district crashes and comes back: it registers with a new Call-ID, the city subscribes afresh.
      await district.kill();
      await district.serve();
      const again = await share('〔2026〕33号');
      await until('a share granted after the district restarted, at the city', async () => (await channels()).includes(second));
      // The city restarts: it subscribes to the online district as it starts; a revoke reaches it.
      // (The city asks the whole catalog right after each new subscription: the district registers that answer.)
      const answers = async () => (((await api(district, auditorToken, 'GET', '/audit/entries?action=registry_view&outcome=success&limit=500')).body?.items ?? []) as { target?: string }[]).filter((e) => /^catalog answer/.test(e.target ?? '')).length;
      const answered = await answers();
      await city.stop();
      await city.serve();
      await until('the city subscribed again and asked the catalog', async () => (await answers()) > answered);
      await revoke(again);
      await until('the revoke after the city restarted, at the city', async () => !(await channels()).includes(second));
    } finally {
      await c.close();
    }
  }, 400_000);
});
