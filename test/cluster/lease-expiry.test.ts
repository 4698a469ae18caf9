// A node's cameras are taken when its lease runs out, not at the taker's next round (issue 22,
// takeover time): each round sets a timer for the soonest moment another live node's lease can
// run out. Here the rounds are 20 s apart (a 60 s lease) and the other node's lease is 3 s: the
// cameras move long before a second round could have come.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseKeeper, type RoundReport } from '../../src/cluster/lease-keeper.js';
import type { Db } from '../../src/db/database.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { freshDatabase } from '../support/databases.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';

const LEASE_MS = 60_000;

describe('takeover at the moment a lease runs out (postgres)', () => {
  let db: Db;
  let repos: Repositories;
  let cams: number[];
  beforeAll(async () => {
    db = await freshDatabase('postgres');
    repos = createRepositories(db);
    cams = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a', 'rtsp://127.0.0.1/b']);
  });
  afterAll(() => db.close());

  it('a node whose lease runs out loses its cameras to the live node within a round of the expiry', async () => {
    // The dying node: it holds both cameras under a lease of three seconds and renews no more.
    await repos.leases.renewNode({ id: 'dying', url: null, capacity: 10 }, 3000);
    expect(await repos.leases.acquire('dying', cams)).toHaveLength(2);
    const rounds: RoundReport[] = [];
    let taken!: () => void;
    const tookAll = new Promise<void>((r) => (taken = r));
    const keeper = new LeaseKeeper(repos.leases, () => repos.recordings.recordableCameras(), {
      nodeId: 'live', url: null, capacity: 10, leaseMs: LEASE_MS, handOversPerRound: 10,
      onRound: (r) => {
        rounds.push(r);
        if (keeper.held().size === cams.length) taken();
      },
    }, pino({ level: 'silent' }));
    const started = Date.now();
    await keeper.start();
    try {
      // The first round found the cameras held by a live node: nothing taken.
      expect(rounds[0]!.acquired).toEqual([]);
      await tookAll;
      const after = Date.now() - started;
      // The regular second round would come only after keeper.renewMs (20 s).
      expect(after, `taken ${after} ms after start`).toBeLessThan(keeper.renewMs);
      expect(rounds.flatMap((r) => r.acquired)).toEqual(cams.map((c) => ({ cameraId: c, epoch: 2 })));
    } finally {
      await keeper.close();
    }
  }, 60_000);
});
