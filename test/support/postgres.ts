// A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temp folder,
// on a free loopback port, removed when stopped. Nothing here touches a system cluster.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  url: string;
  /** A fresh, empty database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** The server's log so far (checkpoints, autovacuum, errors): for benchmarks to explain a figure. */
  log(): Promise<string>;
  /** The server's main process (its backends are its children), for benchmarks counting its CPU. */
  serverPid(): number | undefined;
  /** Stops the server (pg_ctl stop, fast: sessions are cut) and keeps its data, for `start` again. */
  halt(): Promise<void>;
  /**
   * Crashes the server: SIGKILL to it and every backend, then waits until they have ended.
   * resume() starts it again, through crash recovery.
   */
  kill(): Promise<void>;
  /** Starts the halted server again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Finds the directory holding initdb/pg_ctl: PATH first, then Debian's versioned folders. */
export function findPostgresBin(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(root, v, 'bin');
      if (existsSync(join(dir, 'initdb'))) return dir;
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PostgresOptions {
  /**
   * Keep PostgreSQL's durability at its defaults (fsync, synchronous_commit, full_page_writes on),
   * as a deployment runs it: for benchmarks. Tests leave it off, which is faster.
   */
  durable?: boolean;
  /** Log the plan of every statement, nested ones too, that runs longer than this (auto_explain): for benchmarks. */
  explainSlowerThanMs?: number;
  /** More server settings, as `-c name=value` (e.g. commit_delay, to measure what an operator would set). */
  settings?: Record<string, string | number>;
}

const explain = (ms: number | undefined) => (ms === undefined ? ''
  : ` -c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=${ms} -c auto_explain.log_nested_statements=on -c auto_explain.log_analyze=on -c auto_explain.log_timing=off`);

const serverSettings = (settings: Record<string, string | number> = {}) => Object.entries(settings)
  .map(([name, value]) => {
    if (!/^[a-z_.]+$/.test(name) || !/^[\w.-]+$/.test(String(value))) throw new Error(`not a PostgreSQL setting: ${name}=${value}`);
    return ` -c ${name}=${value}`;
  })
  .join('');

export async function startPostgres(options: PostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found. Install them with: sudo apt-get install -y postgresql',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'vigil-pg-'));
  const data = join(dir, 'data');
  let port = await freePort();
  // initdb refuses to run as root; run as the 'postgres' (or 'nobody') account then.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const user = asRoot ? await pickUnprivilegedUser() : undefined;
  const exec = async (cmd: string, args: string[]) => {
    if (user) {
      await run('chown', ['-R', user, dir]);
      return run('runuser', ['-u', user, '--', join(bin, cmd), ...args], { cwd: dir });
    }
    return run(join(bin, cmd), args, { cwd: dir });
  };
  await exec('initdb', ['-D', data, '-U', 'vigil', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  const start = () => exec('pg_ctl', [
    '-D', data, '-l', join(dir, 'log'), '-w', '-t', '60',
    '-o', `-k ${dir} -h 127.0.0.1 -p ${port}${options.durable ? ' -c log_autovacuum_min_duration=0' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'} -c max_connections=200${explain(options.explainSlowerThanMs)}${serverSettings(options.settings)}`,
    'start',
  ]);
  // The port was free when asked, but on a busy machine another process (a simulator, another
  // test's server) may take it before the server binds: then another port, a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (e) {
      const log = await readFile(join(dir, 'log'), 'utf8').catch(() => '');
      if (attempt >= 5 || !/Address already in use/.test(log)) throw e;
      await writeFile(join(dir, 'log'), '');
      port = await freePort();
    }
  }
  const url = `postgres://vigil@127.0.0.1:${port}/postgres`;
  return {
    url,
    async createDatabase(name) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://vigil@127.0.0.1:${port}/${name}`;
    },
    log: () => readFile(join(dir, 'log'), 'utf8').catch(() => ''),
    serverPid: () => {
      try {
        return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
      } catch {
        return undefined;
      }
    },
    async halt() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async kill() {
      const root = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const pids = processTree(root);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      while (pids.some((pid) => processState(pid) !== null && processState(pid) !== 'Z')) await new Promise((r) => setTimeout(r, 50));
      // A killed server leaves its lock files, and its process may stay a zombie (an init that
      // does not reap): the server would take that for itself still running.
      if (processState(root) === 'Z') {
        await unlink(join(data, 'postmaster.pid'));
        await unlink(join(dir, `.s.PGSQL.${port}.lock`)).catch(() => undefined);
      }
    },
    async resume() {
      await start();
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A process's state letter from /proc (Z: ended, waiting to be reaped), or null when it is gone. */
function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return null;
  }
}

/** `root` and every process descending from it. */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* ended while listed */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

async function pickUnprivilegedUser(): Promise<string> {
  for (const name of ['postgres', 'nobody']) {
    try {
      await run('id', ['-u', name]);
      return name;
    } catch {
      /* try the next */
    }
  }
  throw new Error('running as root and no unprivileged account (postgres, nobody) to run initdb');
}
