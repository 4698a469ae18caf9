// A throwaway Ceph S3 gateway for tests and benchmarks: a one-node cluster in a folder — one
// monitor, one OSD keeping its objects in memory (memstore), pools of size 1, and radosgw with
// the beast frontend on loopback — with one S3 user. About 15 s from nothing to an endpoint.
// Authentication stays cephx (radosgw hangs under `auth none`); every key is made here by
// ceph-authtool and never leaves the folder. Nothing touches a system cluster: every daemon reads
// the folder's own ceph.conf.
//
// By hand:  npx tsx test/support/ceph-s3.ts start DIR   (prints the endpoint and keys as JSON)
//           npx tsx test/support/ceph-s3.ts stop DIR
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Starts a daemon: it forks and its first process exits; its output goes to its log, never to our pipes. */
function daemon(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { cwd, stdio: 'ignore', detached: true });
    p.once('error', fail);
    p.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

export interface CephS3 {
  dir: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops every daemon of the cluster (SIGKILL after a grace) and, unless kept, removes the folder. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
  /** Stops only the gateway (the store becomes unreachable); `resumeGateway` starts it again. */
  pauseGateway(): Promise<void>;
  resumeGateway(): Promise<void>;
}

const BINARIES = ['ceph-authtool', 'monmaptool', 'ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph'];

/** Why the gateway cannot be started here, or null when it can. */
export function cephUnavailable(): string | null {
  const missing = BINARIES.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' }).status !== 0);
  return missing.length ? `Ceph is not installed (missing ${missing.join(', ')}; apt-get install radosgw ceph-mon ceph-osd ceph-common, or npm test's bootstrap)` : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ms: number, probe: () => Promise<boolean>, dir: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  const logs = await readdir(join(dir, 'log')).catch(() => [] as string[]);
  const tails = await Promise.all(logs.map(async (l) => `--- ${l}\n${(await readFile(join(dir, 'log', l), 'utf8').catch(() => '')).split('\n').slice(-15).join('\n')}`));
  throw new Error(`Ceph: ${what} did not come up within ${ms / 1000} s\n${tails.join('\n')}`);
}

function conf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPort}]
ms bind ipv6 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${dir}/keyring
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$name
osd objectstore = memstore
memstore device bytes = ${2 << 30}
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd max object name len = 460
osd max object namespace len = 64
rgw data = ${dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw dns name = 127.0.0.1
rgw enable usage log = false
`;
}

interface State {
  endpoint: string;
  rgwPort: number;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Starts a cluster in `dir` (made if missing, or a new temp folder). */
export async function startCephS3(dirArg?: string): Promise<CephS3> {
  const why = cephUnavailable();
  if (why) throw new Error(why);
  const dir = resolve(dirArg ?? (await mkdtemp(join(tmpdir(), 'vigil-ceph-'))));
  for (const d of ['run', 'log', 'mon', 'osd', 'rgw']) await mkdir(join(dir, d), { recursive: true });
  const fsid = randomUUID();
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const c = join(dir, 'ceph.conf');
  await writeFile(c, conf(dir, fsid, monPort, rgwPort));
  const ceph = (cmd: string, args: string[]) => run(cmd, ['-c', c, ...args], { cwd: dir, maxBuffer: 16 << 20 });
  const keyring = join(dir, 'keyring');
  try {
    // cephx keys: the monitors' own, and an admin for setting up.
    await run('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await run('ceph-authtool', [keyring, '--gen-key', '-n', 'client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *']);
    await run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, join(dir, 'monmap')]);
    await ceph('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', keyring]);
    await daemon('ceph-mon', ['-c', c, '-i', 'a'], dir);
    await waitFor('the monitor', 30_000, async () => (await ceph('ceph', ['--connect-timeout', '5', 'mon', 'stat'])).stdout.includes('quorum'), dir);

    // One OSD in memory: its key made here, given to the monitor, then the store made.
    const osdUuid = randomUUID();
    const id = (await ceph('ceph', ['osd', 'new', osdUuid])).stdout.trim();
    const osdDir = join(dir, 'osd', `osd.${id}`);
    await mkdir(osdDir, { recursive: true });
    await run('ceph-authtool', ['--create-keyring', join(osdDir, 'keyring'), '--gen-key', '-n', `osd.${id}`]);
    await ceph('ceph', ['auth', 'add', `osd.${id}`, 'osd', 'allow *', 'mon', 'allow profile osd', '-i', join(osdDir, 'keyring')]);
    await ceph('ceph-osd', ['-i', id, '--mkfs', '--osd-uuid', osdUuid, '--keyring', join(osdDir, 'keyring')]);
    await daemon('ceph-osd', ['-c', c, '-i', id, '--keyring', join(osdDir, 'keyring')], dir);
    await waitFor('the OSD', 60_000, async () => /1 up/.test((await ceph('ceph', ['osd', 'stat'])).stdout), dir);

    // The gateway, with a key of its own.
    const rgwKeyring = join(dir, 'rgw.keyring');
    await ceph('ceph', ['auth', 'get-or-create', 'client.rgw.gw', 'mon', 'allow rw', 'osd', 'allow rwx', '-o', rgwKeyring]);
    await daemon('radosgw', ['-c', c, '-n', 'client.rgw.gw', '--keyring', rgwKeyring], dir);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitFor('radosgw', 60_000, async () => (await fetch(endpoint)).status < 500, dir);

    const accessKeyId = `VIGIL${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    await ceph('radosgw-admin', ['user', 'create', '--uid', 'vigil', '--display-name', 'Vigil tests', '--access-key', accessKeyId, '--secret-key', secretAccessKey]);
    const state: State = { endpoint, rgwPort, accessKeyId, secretAccessKey };
    await writeFile(join(dir, 'state.json'), JSON.stringify(state));
    return handle(dir, state);
  } catch (e) {
    await stopCephS3(dir);
    throw e;
  }
}

function handle(dir: string, s: State): CephS3 {
  const c = join(dir, 'ceph.conf');
  return {
    dir,
    endpoint: s.endpoint,
    region: 'default',
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    stop: async (opts) => {
      await stopCephS3(dir);
      if (!opts?.keepDir) await rm(dir, { recursive: true, force: true });
    },
    pauseGateway: () => killDaemon(dir, 'client.rgw.gw'),
    resumeGateway: async () => {
      await daemon('radosgw', ['-c', c, '-n', 'client.rgw.gw', '--keyring', join(dir, 'rgw.keyring')], dir);
      await waitFor('radosgw', 60_000, async () => (await fetch(s.endpoint)).status < 500, dir);
    },
  };
}

/** The cluster started earlier in `dir`. */
export async function openCephS3(dir: string): Promise<CephS3> {
  return handle(resolve(dir), JSON.parse(await readFile(join(resolve(dir), 'state.json'), 'utf8')) as State);
}

async function killDaemon(dir: string, name: string): Promise<void> {
  const pidFile = join(dir, 'run', `${name}.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!(pid > 0)) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 40 && alive(); i++) await sleep(250);
  if (alive()) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 40 && alive(); i++) await sleep(100);
  await rm(pidFile, { force: true });
}

/** Stops every daemon whose pid file is in the folder: gateway first, monitor last. */
export async function stopCephS3(dir: string): Promise<void> {
  const names = (await readdir(join(dir, 'run')).catch(() => [] as string[])).filter((n) => n.endsWith('.pid')).map((n) => n.slice(0, -4));
  const order = (n: string) => (n.startsWith('client.') ? 0 : n.startsWith('osd.') ? 1 : 2);
  for (const n of names.sort((a, b) => order(a) - order(b))) await killDaemon(dir, n);
}

// `npx tsx test/support/ceph-s3.ts start|stop DIR`
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [cmd, dir] = process.argv.slice(2);
  if (!dir || (cmd !== 'start' && cmd !== 'stop')) {
    process.stderr.write('usage: npx tsx test/support/ceph-s3.ts start|stop DIR\n');
    process.exit(2);
  }
  const t0 = Date.now();
  if (cmd === 'start') {
    const s = await startCephS3(dir);
    process.stdout.write(`${JSON.stringify({ endpoint: s.endpoint, region: s.region, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, seconds: (Date.now() - t0) / 1000 })}\n`);
  } else {
    await stopCephS3(resolve(dir));
    await rm(resolve(dir), { recursive: true, force: true });
  }
}
