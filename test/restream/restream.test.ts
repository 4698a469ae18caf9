// The RTSP re-stream read by ffprobe and ffmpeg (peers we did not write): an API token with live
// view over the camera's region opens rtsp://…/cameras/<id> and sees the simulator's H.264
// 1280×720; a client joining a camera others already watch starts at a keyframe, its first
// frames decoding without error; no credentials and a wrong token get 401 with a Basic
// challenge, a good token for a camera outside its region 403; each refusal is in the access
// register; revoking the token ends an open stream within seconds.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamAuthority } from '../../src/access/stream-authority.js';
import { createAccess, type Access } from '../../src/access/index.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { AuditEntry } from '../../src/audit/entry.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { StreamRegister } from '../../src/live/stream-register.js';
import { createRegistry } from '../../src/registry/index.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import { RestreamServer } from '../../src/restream/restream-server.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../support/recorder-harness.js';
import { testSources } from '../support/sources.js';

const run = promisify(execFile);

let sim: Simulator;
let harness: RecorderHarness;
let access: Access;
let audit: AuditLog;
let register: StreamRegister;
let hub: StreamHub;
let server: RestreamServer;
let camera: number;
let outside: number;
let tokenId: number;
let token: string;

async function ffprobe(url: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '8000000', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url], { timeout: 20_000 });
    return { ok: true, out: stdout };
  } catch (e) {
    return { ok: false, out: String((e as { stderr?: string }).stderr ?? e) };
  }
}

/** The first frames as ffprobe decodes them, with whatever the decoder complained about. */
async function firstFrames(url: string, count: number): Promise<{ frames: { key_frame: number; pict_type: string }[]; packets: { flags: string }[]; stderr: string }> {
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '8000000', '-select_streams', 'v:0', '-read_intervals', `%+#${count}`, '-show_frames', '-show_packets', '-show_entries', 'frame=key_frame,pict_type:packet=flags', '-of', 'json', url], { timeout: 20_000 });
  // Packets and frames together come as one list in decoding order.
  const all = (JSON.parse(stdout) as { packets_and_frames?: { type: string; flags?: string; key_frame?: number; pict_type?: string }[] }).packets_and_frames ?? [];
  return {
    frames: all.filter((x) => x.type === 'frame').map((x) => ({ key_frame: x.key_frame!, pict_type: x.pict_type! })),
    packets: all.filter((x) => x.type === 'packet').map((x) => ({ flags: x.flags! })),
    stderr,
  };
}

/** One raw request on a fresh connection: the status line and headers of the answer. */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer: ${got}`));
    }, 5000);
  });
}

function withCredentials(cameraId: number, user: string, password: string): string {
  const u = new URL(server.url(cameraId));
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** Register entries written since `afterSeq`, waiting a little for ones written on close. */
async function entriesAfter(afterSeq: number, match: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  for (let i = 0; i < 40; i++) {
    const items = (await audit.search({ order: 'asc', cursor: afterSeq, limit: 1000 })).items.filter(match);
    if (items.length) return items;
    await sleep(100);
  }
  return [];
}

async function lastSeq(): Promise<number> {
  return (await audit.search({ limit: 1 })).items[0]?.seq ?? 0;
}

beforeAll(async () => {
  sim = await startSimulator({ cameras: 1, controlPort: false });
  harness = await recorderHarness([sim.urls[0]!]);
  camera = harness.cameraIds[0]!;
  // A second region with its own camera: outside the token's scope.
  const first = (await harness.repos.cameras.get(camera))!;
  const otherCity = await harness.repos.organisations.create({ kind: 'platform', name: 'Other city', level: 'city', regionCode: '230100' }, Date.now());
  const { id: _id, ...fields } = first as typeof first & { id: number };
  outside = (await harness.repos.cameras.insert({ ...fields, gbId: '23010000001320000001', regionId: otherCity.id } as never, Date.now())).id;
  const { rules, catalogue } = loadProfileRules(undefined, 'national');
  const registry = createRegistry(harness.repos, rules, systemClock, testSources(harness.dataDir));
  audit = new AuditLog(harness.db, { keys: PlatformKeys.ephemeral(), clock: systemClock });
  access = createAccess({
    repos: harness.repos,
    audit,
    clock: systemClock,
    dataDir: harness.dataDir,
    settings: configSchema.parse({}).access,
    keys: { csrf: randomBytes(32), stream: randomBytes(32) },
    accessProfile: (id) => catalogue.require(id).access,
    effectiveProfileId: (orgId) => registry.organisations.effectiveProfileId(orgId),
  });
  const regionId = (await harness.repos.cameras.get(camera))!.regionId;
  const { user } = await access.users.create(null, { login: 'analytics', displayName: 'Traffic analytics', password: `pw-${randomBytes(9).toString('hex')}`, organisationId: regionId });
  await access.users.grant(null, user.id, 'duty_operator', regionId);
  const created = await access.users.createToken(null, user.id, { name: 'traffic department', permissions: ['live:view'], organisationId: regionId, expiresInDays: 1 });
  tokenId = created.id;
  token = created.token;
  register = new StreamRegister(streamAuthority(access));
  hub = new StreamHub({ sources: testSources(harness.dataDir), sourceUrl: async (id) => (await harness.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 1000 });
  server = new RestreamServer({ hub, register, access });
  await server.listen();
}, 60_000);

afterAll(async () => {
  await server?.close();
  register?.closeAll();
  await hub?.close();
  await sim?.close();
  await harness?.close();
  if (harness) rmSync(harness.dataDir, { recursive: true, force: true });
});

describe('RTSP re-stream', () => {
  it('serves the camera to ffprobe with the API token, and registers the PLAY with its destination', async () => {
    const before = await lastSeq();
    const r = await ffprobe(withCredentials(camera, 'token', token));
    expect(r.ok, r.out).toBe(true);
    const stream = (JSON.parse(r.out) as { streams: { codec_name: string; width: number; height: number }[] }).streams[0];
    expect(stream).toEqual({ codec_name: 'h264', width: 1280, height: 720 });
    const plays = await entriesAfter(before, (e) => e.action === 'view' && e.outcome === 'success' && e.destination !== null);
    expect(plays).toHaveLength(1);
    expect(plays[0]).toMatchObject({ cameraIds: [camera], sourceAddress: '127.0.0.1', actors: [{ name: 'analytics' }] });
    expect(plays[0]!.destination).toMatch(/^RTSP client 127\.0\.0\.1:\d+ \(API token \d+\)$/);
    // The token's id works as the user name too.
    expect((await ffprobe(withCredentials(camera, String(tokenId), token))).ok).toBe(true);
  });

  it('starts a client that joins mid-GOP at the next keyframe: its first frames decode without error', async () => {
    const url = withCredentials(camera, 'token', token);
    // Someone is watching already, so the camera's feed runs and is mid-GOP most of the time.
    const watcher = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      for (let i = 0; i < 100 && !register.list({ cameraId: camera }).some((s) => s.transport === 'rtsp'); i++) await sleep(100);
      // Three joins at different points of the one-second GOP.
      for (const wait of [330, 470, 610]) {
        await sleep(wait);
        const r = await firstFrames(url, 5);
        expect(r.stderr, 'decoder errors of a client joining mid-stream').toBe('');
        expect(r.packets[0]?.flags, 'the first packet is a keyframe').toMatch(/^K/);
        expect(r.frames[0]).toMatchObject({ key_frame: 1, pict_type: 'I' });
        expect(r.frames.length).toBeGreaterThanOrEqual(5);
      }
    } finally {
      watcher.kill('SIGKILL');
    }
  });

  it('refuses a client without credentials with 401 and a Basic challenge, and registers it', async () => {
    const before = await lastSeq();
    const answer = await rawRequest(`DESCRIBE ${server.url(camera)} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n`);
    expect(answer).toMatch(/^RTSP\/1\.0 401 /);
    expect(answer).toMatch(/\r\nWWW-Authenticate: Basic realm="vigil"\r\n/i);
    const r = await ffprobe(server.url(camera));
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/401 Unauthorized/i);
    // One entry for each connection that never answered the challenge: ours and ffprobe's.
    let refused: AuditEntry[] = [];
    for (let i = 0; i < 40 && refused.length < 2; i++, await sleep(100)) refused = await entriesAfter(before, (e) => e.outcome === 'refused');
    expect(refused).toHaveLength(2);
    expect(refused[1]).toMatchObject({ action: 'view', cameraIds: [camera], sourceAddress: '127.0.0.1', reason: 'RTSP client gave no credentials' });
    expect(refused[0]).toMatchObject({ action: 'view', cameraIds: [camera], sourceAddress: '127.0.0.1', reason: 'RTSP client gave no credentials' });
  });

  it('refuses a wrong token and a wrong user name, and registers each', async () => {
    const before = await lastSeq();
    const wrongToken = await ffprobe(withCredentials(camera, 'token', `vigil_${randomBytes(32).toString('base64url')}`));
    expect(wrongToken.ok).toBe(false);
    expect(wrongToken.out).toMatch(/401 Unauthorized/i);
    const wrongUser = await ffprobe(withCredentials(camera, 'someone', token));
    expect(wrongUser.ok).toBe(false);
    expect(wrongUser.out).toMatch(/401 Unauthorized/i);
    const failed = await entriesAfter(before, (e) => e.action === 'login' && e.outcome === 'failed');
    expect(failed.map((e) => e.reason)).toEqual(['unknown, expired or revoked API token', 'the user name is neither "token" nor the API token\'s id']);
    for (const e of failed) expect(e).toMatchObject({ cameraIds: [camera], sourceAddress: '127.0.0.1' });
    const all = (await audit.search({ order: 'asc', cursor: before, limit: 1000 })).items;
    expect(all.filter((e) => e.outcome === 'success' && e.action === 'view')).toEqual([]);
  });

  it('answers 403 to a good token for a camera outside its region, and registers the refusal', async () => {
    const before = await lastSeq();
    const r = await ffprobe(withCredentials(outside, 'token', token));
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/403 Forbidden/i);
    const refused = await entriesAfter(before, (e) => e.outcome === 'refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ action: 'view', cameraIds: [outside], actors: [{ name: 'analytics' }] });
  });

  it('closes an open stream within seconds when its API token is revoked', async () => {
    const ffmpeg = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', withCredentials(camera, 'token', token), '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number>((resolve) => ffmpeg.once('exit', () => resolve(Date.now())));
    try {
      for (let i = 0; i < 100 && !register.list({ cameraId: camera }).some((s) => s.transport === 'rtsp'); i++) await sleep(100);
      expect(register.list({ cameraId: camera }).filter((s) => s.transport === 'rtsp')).toHaveLength(1);
      await sleep(1000);
      expect(ffmpeg.exitCode).toBeNull();
      const revokedAt = Date.now();
      await access.users.revokeToken(null, tokenId);
      const end = await Promise.race([exited, sleep(5000).then(() => undefined)]);
      expect(end, 'ffmpeg still reading 5 s after the revocation').toBeDefined();
      expect(end! - revokedAt).toBeLessThan(5000);
      expect(register.list({ cameraId: camera })).toEqual([]);
      // And the revoked token opens nothing more.
      expect((await ffprobe(withCredentials(camera, 'token', token))).ok).toBe(false);
    } finally {
      ffmpeg.kill('SIGKILL');
    }
  });
});
