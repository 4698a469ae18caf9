// kill -9 in the middle of a retention pass, at several points: after the next pass's garbage
// collection every file on disk has its index row, every index row has its file, the garbage
// table is empty and the register's chain is whole.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/verify.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { DAY_MS } from '../../src/retention/retention-decision.js';
import { recordFootage } from './footage.js';
import { evidenceWorld, T0, type EvidenceWorld } from './world.js';

const CHILD = fileURLToPath(new URL('./evidence-child.ts', import.meta.url));

/** Runs the child until it prints "ready", then kills it after `afterMs` (never, when null). */
export async function runChild(args: string[], afterMs: number | null): Promise<{ killed: boolean; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`child exited early: ${err.slice(-2000)}`)));
  });
  if (afterMs === null) {
    const code = await exited;
    if (code !== 0) throw new Error(`child failed: ${err.slice(-2000)}`);
    return { killed: false, out };
  }
  await new Promise((r) => setTimeout(r, afterMs));
  const killed = child.exitCode === null;
  child.kill('SIGKILL');
  await exited;
  return { killed, out };
}

describe('kill -9 during a retention pass', () => {
  let w: EvidenceWorld;
  beforeAll(async () => {
    w = await evidenceWorld('sqlite', 1);
    await recordFootage(w.repos, w.dataDir, w.cameras[0]!, { startMs: T0 - 45 * DAY_MS, files: 80, secondsPerFile: 1 });
  }, 60_000);
  afterAll(() => w.close());

  // The child signs register checkpoints with the data folder's platform key.
  async function checkAccounted(): Promise<number> {
    const keys = PlatformKeys.loadOrCreate(w.dataDir);
    // The next pass starts by finishing what the killed one left.
    await w.cleaner().collectGarbage();
    expect(await w.repos.evidence.garbage()).toEqual([]);
    const rows = await w.repos.recordings.files(w.cameras[0]!);
    for (const r of rows) expect(existsSync(w.store.absolute(r.path)), r.path).toBe(true);
    const onDisk = (await w.store.list(w.cameras[0]!)).map((s) => s.path).sort();
    expect(onDisk).toEqual(rows.map((r) => r.path).sort());
    for (const r of rows) expect((await w.repos.recordings.fragments(r.id)).length).toBeGreaterThan(0);
    const report = await verifyChain(w.db, { publicKey: keys.publicKey });
    expect(report.failure).toBeNull();
    return rows.length;
  }

  it('leaves no orphan file and no index row pointing at nothing, wherever it is killed', async () => {
    const url = w.db.url;
    await checkAccounted();
    let kills = 0;
    for (const afterMs of [0, 40, 120, 250, 400]) {
      const r = await runChild(['clean', url, w.dataDir, String(T0)], afterMs);
      if (r.killed) kills++;
      await checkAccounted();
    }
    expect(kills).toBeGreaterThan(0);
    await runChild(['clean', url, w.dataDir, String(T0)], null);
    expect(await checkAccounted()).toBe(0);
  }, 90_000);
});
