// Make-before-break hand-over when a node joins (issue 22): the joining node records each camera
// it is given before the old holder stops. Judged by the rows, in commit order and media time:
// - never two index writers: every row of the old epoch was committed before any of the new one;
// - no hole: the new node's first fragment starts at or before the old node's last one ends, and
//   no gap is recorded between them;
// - the lease passed on with epoch + 1 (not after expiry), and every row names bytes on its node's disk.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { freshPostgresUrl } from '../support/databases.js';
import { startClusterNode, type ClusterNode } from '../support/cluster-node.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { startSimProcess } from '../support/sim-process.js';

const CAMERAS = 4;
const LEASE_MS = 4000;

interface Row { id: number; camera_id: number; epoch: number; start_ms: number; end_ms: number; node_id: string; byte_offset: number; size: number; path: string }

describe('make-before-break hand-over on join', () => {
  let db: Db;
  let repos: Repositories;
  let url: string;
  let sim: Awaited<ReturnType<typeof startSimProcess>>;
  let cams: number[];
  const nodes = new Map<string, ClusterNode>();

  const rows = async (): Promise<Row[]> =>
    (await sql<Row>`select g.id, g.camera_id, g.epoch, g.start_ms, g.end_ms, f.node_id, g.byte_offset, g.size, f.path
      from recording_fragments g join recording_files f on f.id = g.file_id order by g.id`.execute(db.kysely)).rows.map((r) => ({ ...r, id: Number(r.id), camera_id: Number(r.camera_id), epoch: Number(r.epoch), start_ms: Number(r.start_ms), end_ms: Number(r.end_ms), byte_offset: Number(r.byte_offset), size: Number(r.size) }));
  const until = async (what: string, check: () => Promise<boolean>, limitMs = 180_000) => {
    const deadline = Date.now() + limitMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`never happened: ${what}\n${[...nodes.values()].map((n) => `${n.id}: ${n.stderr().slice(-2500)}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  beforeAll(async () => {
    url = await freshPostgresUrl();
    db = openDatabase(url);
    await migrateToLatest(db);
    repos = createRepositories(db);
    sim = await startSimProcess(CAMERAS);
    cams = await seedRecordableCameras(repos, sim.urls);
    nodes.set('n1', await startClusterNode(mkdtempSync(join(tmpdir(), 'vigil-n1-')), url, { nodeId: 'n1', leaseMs: LEASE_MS, logLevel: 'info' }));
    await until('every camera recorded by n1', async () => {
      const r = await rows();
      return cams.every((c) => r.filter((x) => x.camera_id === c && x.node_id === 'n1').length >= 3);
    });
  });
  afterAll(async () => {
    for (const n of nodes.values()) await n.stop();
    await sim?.stop();
    await db?.close();
  });

  it('the joining node records each camera it is given before the old holder stops', async () => {
    const before = new Map((await repos.leases.leases()).map((l) => [l.cameraId, l]));
    nodes.set('n2', await startClusterNode(mkdtempSync(join(tmpdir(), 'vigil-n2-')), url, { nodeId: 'n2', leaseMs: LEASE_MS, logLevel: 'info' }));
    // Placement gives n2 its share; wait until n2 records each of them under the next epoch.
    let moved: number[] = [];
    await until('the cameras placed on n2 recorded by it', async () => {
      const leases = await repos.leases.leases();
      moved = leases.filter((l) => l.nodeId === 'n2').map((l) => l.cameraId);
      const r = await rows();
      return moved.length > 0 && leases.filter((l) => l.nodeId === 'n1').length + moved.length === CAMERAS
        && moved.every((c) => r.filter((x) => x.camera_id === c && x.node_id === 'n2').length >= 2);
    });
    const all = await rows();
    for (const c of moved) {
      const old = before.get(c)!;
      const lease = (await repos.leases.lease(c))!;
      expect(lease.epoch, `camera ${c}: passed on with the next epoch`).toBe(old.epoch + 1);
      const a = all.filter((x) => x.camera_id === c && x.epoch === old.epoch);
      const b = all.filter((x) => x.camera_id === c && x.epoch === lease.epoch);
      expect(a.every((x) => x.node_id === 'n1') && b.every((x) => x.node_id === 'n2')).toBe(true);
      expect(Math.max(...a.map((x) => x.id)), `camera ${c}: every row of epoch ${old.epoch} committed before any of ${lease.epoch}`).toBeLessThan(Math.min(...b.map((x) => x.id)));
      const lastEnd = Math.max(...a.map((x) => x.end_ms));
      const firstStart = Math.min(...b.map((x) => x.start_ms));
      console.log(`camera ${c}: n1 epoch ${old.epoch} ends ${lastEnd}, n2 epoch ${lease.epoch} starts ${firstStart} (${firstStart - lastEnd} ms)`);
      expect(firstStart, `camera ${c}: no hole between the holders`).toBeLessThanOrEqual(lastEnd);
      const gaps = (await repos.recordings.events(c, 'gap')).filter((g) => g.startMs >= lastEnd - 60_000);
      expect(gaps.filter((g) => (g.endMs ?? 0) > lastEnd - 1 && g.startMs < firstStart + 1), `camera ${c}: no gap at the hand-over`).toEqual([]);
    }
    for (const r of all) {
      const size = statSync(join(nodes.get(r.node_id)!.dataDir, r.path), { throwIfNoEntry: false })?.size;
      expect(size, `fragment ${r.id} of ${r.node_id}`).toBeGreaterThanOrEqual(r.byte_offset + r.size);
    }
  });
});
