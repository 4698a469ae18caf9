// The recorder role as `vigil serve` starts it on PostgreSQL (issue 22): the configured node id
// registers, takes the lease of a camera in service, records it under the lease's epoch into rows
// that name the node, and on a clean stop gives the lease up and leaves, so another node need not
// wait out the lease. Judged by the rows, in order; no timing margins.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openContext, type Context } from '../../src/services/context.js';
import { startRoles } from '../../src/services/roles.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { freshPostgresUrl } from '../support/databases.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';

describe('the recorder role on PostgreSQL holds its cameras by leases', () => {
  let sim: Simulator;
  let ctx: Context;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: 1, width: 320, height: 180, bitrateKbps: 300 });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-recorder-role-'));
    ctx = await openContext(loadConfig({
      env: {
        VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_DATABASE_URL: await freshPostgresUrl(), VIGIL_LOG_LEVEL: 'warn',
        VIGIL_NODE_ID: 'rec-test', VIGIL_NODE_CAPACITY: '10', VIGIL_CAMERA_NETWORKS: '127.0.0.1/32',
      },
      cwd: dir,
    }));
  });
  afterAll(async () => {
    await ctx?.close();
    await sim?.close();
  });

  it('records under its lease and gives the lease up on a clean stop', async () => {
    const [camera] = await seedRecordableCameras(ctx.repos, sim.urls);
    const roles = await startRoles(ctx, ['recorder']);
    let stopped = false;
    try {
      const lease = await ctx.repos.leases.lease(camera!);
      expect(lease).toMatchObject({ nodeId: 'rec-test', epoch: 1, expired: false });
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from recording_fragments g join recording_files f on f.id = g.file_id
          where g.camera_id = ${camera} and g.epoch = 1 and f.epoch = 1 and f.node_id = 'rec-test'`.execute(ctx.db.kysely);
        if (Number(rows[0]!.n) >= 2) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      await roles.close();
      stopped = true;
      expect(await ctx.repos.leases.lease(camera!)).toMatchObject({ nodeId: 'rec-test', epoch: 1, expired: true });
      expect((await ctx.repos.leases.nodes()).find((n) => n.id === 'rec-test')?.alive).toBe(false);
      // Given up, it is taken at once by the next node, with the next epoch.
      expect(await ctx.repos.leases.acquire('rec-other', [camera!])).toEqual([{ cameraId: camera, epoch: 2 }]);
    } finally {
      if (!stopped) await roles.close();
    }
  });
});
