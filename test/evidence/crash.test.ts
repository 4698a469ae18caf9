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
import { testChildEntry } from '../support/vigil-entry.js';

const CHILD = fileURLToPath(new URL('./evidence-child.ts', import.meta.url));

/**
 * Runs the child until it prints "ready", then kills it after `afterMs` (never, when null), or
 * as soon as it prints the line `{ onLine }`.
 */
export async function runChild(args: string[], afterMs: number | null | { onLine: string }): Promise<{ killed: boolean; out: string }> {
  const child = spawn(process.execPath, [...testChildEntry(CHILD), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (typeof afterMs === 'number') await new Promise((r) => setTimeout(r, afterMs));
  else {
    const line = `${afterMs.onLine}\n`;
    await new Promise<void>((resolve, reject) => {
      if (out.includes(line)) return resolve();
      child.stdout.on('data', () => out.includes(line) && resolve());
      child.once('exit', () => reject(new Error(`child exited before printing "${afterMs.onLine}": ${err.slice(-2000)}`)));
    });
  }
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
    expect(await w.repos.retentionGarbage.garbage()).toEqual([]);
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
    // Six child processes under tsx: minutes on a machine whose two cores are busy.
  }, 300_000);
});

describe('kill -9 during an export', () => {
  it('leaves no partial folder after recovery, and every export is either whole and verified or failed with nothing', async () => {
    const { exportWorld } = await import('./export-world.js');
    const { verifyPackage } = await import('../../src/export/package-verify.js');
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const x = await exportWorld();
    try {
      await recordFootage(x.t.repos, x.t.dataDir, x.w.camA, { startMs: x.range.from + 120_000, files: 30, secondsPerFile: 4 });
      const args = ['export', x.t.db.url, x.t.dataDir, String(x.t.clock.now()), x.inv1.cookie.slice('vigil_session='.length), String(x.requestId), String(x.w.camA), String(x.range.from), String(x.range.to)];
      let kills = 0;
      // Kills at moments (wherever they land on a machine this busy) and kills of an export
      // frozen after opening its first and its twelfth recording file (inside it, certainly).
      const holds: Record<string, string> = {};
      const plan: (number | null | { onLine: string; holdAt: number })[] = [5, { onLine: 'holding', holdAt: 1 }, 30, 60, { onLine: 'holding', holdAt: 12 }, 100, 200, null];
      for (const when of plan) {
        const held = when !== null && typeof when === 'object';
        const r = await runChild(held ? [...args, String(when.holdAt)] : args, held ? { onLine: when.onLine } : when);
        if (r.killed) kills++;
        if (held) holds[String(when.holdAt)] = r.out;
        await x.exports.recover();
        const dir = join(x.t.dataDir, 'exports');
        const names = existsSync(dir) ? readdirSync(dir) : [];
        expect(names.filter((n) => n.endsWith('.partial'))).toEqual([]);
        const rows = await x.t.db.kysely.selectFrom('evidence_exports').selectAll().execute();
        for (const row of rows) {
          expect(row.state === 'done' || row.state === 'failed', `export ${row.id} is ${row.state}`).toBe(true);
          if (row.state === 'done') expect((await verifyPackage(join(x.t.dataDir, row.path))).ok).toBe(true);
          else expect(names).not.toContain(String(row.id));
        }
        for (const n of names) expect(rows.some((r) => String(r.id) === n && r.state === 'done')).toBe(true);
      }
      expect(kills).toBeGreaterThanOrEqual(2);
      // Both frozen exports were killed inside: their rows were left running and recovery failed them.
      expect(Object.keys(holds)).toEqual(['1', '12']);
      const states = (await x.t.db.kysely.selectFrom('evidence_exports').select('error').orderBy('id').execute()).map((r) => r.error);
      expect(states.filter((e) => e?.startsWith('interrupted')).length).toBeGreaterThanOrEqual(2);
      // The last run, never killed, finished whole (verified above as every 'done' export is).
      expect(states.at(-1)).toBeNull();
    } finally {
      await x.t.close();
    }
  }, 420_000);
});
