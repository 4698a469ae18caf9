// `vigil cluster status` as an operator runs it, a real process over PostgreSQL, against leases
// two nodes really hold (their keepers' rounds, not rows written by hand).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../src/cluster/lease-keeper.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { cliDatabaseUrl, runVigil } from '../support/cli.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';

describe('vigil cluster status', () => {
  let url: string;
  let db: Db;
  let repos: Repositories;
  let cwd: string;
  const keepers: LeaseKeeper[] = [];
  beforeAll(async () => {
    url = (await cliDatabaseUrl('postgres', 'cluster'))!;
    db = openDatabase(url);
    await migrateToLatest(db);
    repos = createRepositories(db);
    await seedRecordableCameras(repos, Array.from({ length: 9 }, (_, i) => `rtsp://127.0.0.1:9/${i}`));
    for (const [id, capacity] of [['rec-1', 3], ['rec-2', 4]] as const) {
      const k = new LeaseKeeper(repos.leases, () => repos.recordings.recordableCameras(), { nodeId: id, url: null, capacity, leaseMs: 60_000, handOversPerRound: 10 }, pino({ level: 'silent' }));
      await k.start();
      keepers.push(k);
    }
    // The first node took what it could before the second registered; a round each settles it. A
    // camera placed on the second is handed over make-before-break: the second's recorder says it is
    // ready once it records the camera, as each keeper's standby cameras are declared here.
    // Rounds until no hand-over is under way (a few; bounded so a hand-over that never ends fails the test below).
    for (let i = 0; i < 20; i++) {
      for (const k of keepers) {
        for (const id of k.incoming()) k.ready(id);
        await k.round();
      }
      if (keepers.every((k) => k.incoming().size === 0) && !(await repos.leases.leases()).some((l) => l.successor)) break;
    }
    cwd = mkdtempSync(join(tmpdir(), 'vigil-cluster-cli-'));
  });
  afterAll(async () => {
    for (const k of keepers) await k.close();
    await db.close();
  });

  const env = () => ({ PATH: process.env.PATH ?? '', VIGIL_DATABASE_URL: url, VIGIL_DATA_DIR: join(cwd, 'data'), VIGIL_LOG_LEVEL: 'warn', VIGIL_LEASE_SECONDS: '60' });

  it('shows each node, its capacity and cameras, and the cameras beyond capacity as unheld', { timeout: 240_000 }, async () => {
    const r = await runVigil(['cluster', 'status', '--json'], env(), cwd).catch((e: { stdout: string; code: number }) => {
      expect(e.code).toBe(1); // cameras left unheld while nodes are alive: exit 1
      return e;
    });
    const s = JSON.parse(r.stdout) as { nodes: { id: string; alive: boolean; capacity: number; cameras: number; nextExpiry: number | null }[]; unheld: number };
    expect(s.nodes.map((n) => [n.id, n.alive, n.capacity, n.cameras]), JSON.stringify(s.nodes)).toEqual([['rec-1', true, 3, 3], ['rec-2', true, 4, 4]]);
    expect(s.unheld).toBe(2);
    expect(s.nodes.every((n) => n.nextExpiry !== null)).toBe(true);
  });

  it('lists which node records each camera, and refuses a bad priority by name', { timeout: 240_000 }, async () => {
    const r = await runVigil(['cluster', 'status', '--cameras'], env(), cwd).catch((e: { stdout: string }) => e);
    expect(r.stdout).toMatch(/rec-1\s+yes\s+3\s+3/);
    expect(r.stdout.match(/\(none\)/g)?.length).toBe(2);
    await expect(runVigil(['cluster', 'priority', '1', '5000'], env(), cwd)).rejects.toMatchObject({ stderr: expect.stringContaining('from -1000 to 1000') });
    const ok = await runVigil(['cluster', 'priority', '1', '7'], env(), cwd);
    expect(ok.stdout).toContain('recording priority 7');
  });
});
