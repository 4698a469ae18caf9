// PostgreSQL away for longer than the lease (issue 22), with a real pg_ctl stop and start: two
// recorder nodes keep recording to local disk under the epochs they hold; when the database
// returns, the index rows written meanwhile are committed — each once — and no camera moved
// (nobody could take one over while the database was down, and a node back from the outage lets
// the holders renew first). Judged by the rows and the leases, not by timing margins: the outage
// is three lease times long because that is the fault under test.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { startClusterNode, type ClusterNode } from '../support/cluster-node.js';
import { startPostgres, type ThrowawayPostgres } from '../support/postgres.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { startSimProcess } from '../support/sim-process.js';

const CAMERAS = 2;
const LEASE_MS = 4000;

interface Row { id: number; file_id: number; seq: number; camera_id: number; epoch: number; start_ms: number; end_ms: number; node_id: string; byte_offset: number; size: number; path: string }

describe('PostgreSQL stopped for longer than the lease, then started again', () => {
  let pg: ThrowawayPostgres;
  let db: Db;
  let repos: Repositories;
  let sim: Awaited<ReturnType<typeof startSimProcess>>;
  let cams: number[];
  const nodes = new Map<string, ClusterNode>();

  const rows = async (): Promise<Row[]> =>
    (await sql<Row>`select g.id, g.file_id, g.seq, g.camera_id, g.epoch, g.start_ms, g.end_ms, f.node_id, g.byte_offset, g.size, f.path
      from recording_fragments g join recording_files f on f.id = g.file_id order by g.id`.execute(db.kysely)).rows.map((r) => ({ ...r, id: Number(r.id), file_id: Number(r.file_id), seq: Number(r.seq), camera_id: Number(r.camera_id), epoch: Number(r.epoch), start_ms: Number(r.start_ms), end_ms: Number(r.end_ms), byte_offset: Number(r.byte_offset), size: Number(r.size) }));
  const until = async (what: string, check: () => Promise<boolean>, limitMs = 180_000) => {
    const deadline = Date.now() + limitMs;
    for (;;) {
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`never happened: ${what}\n${[...nodes.values()].map((n) => `${n.id}: ${n.stderr().slice(-2500)}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  beforeAll(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase('outage');
    db = openDatabase(url);
    await migrateToLatest(db);
    repos = createRepositories(db);
    sim = await startSimProcess(CAMERAS);
    cams = await seedRecordableCameras(repos, sim.urls);
    for (const id of ['n1', 'n2']) nodes.set(id, await startClusterNode(mkdtempSync(join(tmpdir(), `vigil-${id}-`)), url, { nodeId: id, leaseMs: LEASE_MS }));
    await until('every camera recorded under its lease', async () => {
      const leases = new Map((await repos.leases.leases()).map((l) => [l.cameraId, l]));
      const r = await rows();
      return cams.every((c) => leases.has(c) && r.filter((x) => x.camera_id === c && x.epoch === leases.get(c)!.epoch).length >= 3);
    });
    // Placement settled (the second node joined after the first took every camera): no hand-over
    // under way, and the holders the same over two lease times.
    const holders = async () => {
      const leases = await repos.leases.leases();
      return leases.some((l) => l.successor !== null) ? 'handing over' : JSON.stringify(leases.map((l) => [l.cameraId, l.nodeId, l.epoch]));
    };
    let seen = '';
    await until('placement settled', async () => {
      const now = await holders();
      const settled = now === seen && now !== 'handing over';
      seen = now;
      if (!settled) await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
      return settled && (await rows()).length > 0;
    }, 300_000);
  });
  afterAll(async () => {
    for (const n of nodes.values()) await n.stop();
    await sim?.stop();
    await db?.close();
    await pg?.stop();
  });

  it('recording goes on to local disk, the rows catch up once each, and no camera moves', async () => {
    const before = new Map((await repos.leases.leases()).map((l) => [l.cameraId, l]));
    const open = (await rows()).filter((r) => cams.includes(r.camera_id));
    const lastFile = new Map(cams.map((c) => [c, open.filter((r) => r.camera_id === c).at(-1)!]));
    const sizeAt = (r: Row) => statSync(join(nodes.get(r.node_id)!.dataDir, r.path)).size;
    const sizesAtHalt = new Map(cams.map((c) => [c, sizeAt(lastFile.get(c)!)]));
    const haltedAt = Date.now();
    await pg.halt();
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
    // Recording went on while the database was away: the files grew.
    for (const c of cams) expect(sizeAt(lastFile.get(c)!), `camera ${c}: its file grew during the outage`).toBeGreaterThan(sizesAtHalt.get(c)!);
    const resumedAt = Date.now();
    await pg.resume();
    await until('fragments recorded during the outage indexed, and recording after it', async () => {
      const r = await rows();
      return cams.every((c) => r.some((x) => x.camera_id === c && x.start_ms > haltedAt && x.end_ms < resumedAt) && r.some((x) => x.camera_id === c && x.start_ms > resumedAt));
    });
    // A few more rounds: a node back from the outage could have taken a camera only now.
    await nodes.get('n1')!.next((l) => l.round !== undefined);
    await until('two lease times after the return', async () => Date.now() > resumedAt + 2 * LEASE_MS);
    await nodes.get('n1')!.next((l) => l.round !== undefined);

    for (const c of cams) {
      const l = (await repos.leases.lease(c))!;
      expect({ node: l.nodeId, epoch: l.epoch }, `camera ${c}: not moved by the outage`).toEqual({ node: before.get(c)!.nodeId, epoch: before.get(c)!.epoch });
      // Recording never stopped for a lease time (before, it stopped for the whole outage). Holes
      // of about a fragment were seen under load right after the stop; see the report of issue 22.
      const gaps = (await repos.recordings.events(c, 'gap')).filter((g) => (g.endMs ?? 0) > haltedAt && g.startMs < resumedAt && (g.endMs ?? 0) - g.startMs >= LEASE_MS);
      expect(gaps, `camera ${c}: no gap during the outage (halted ${haltedAt}, resumed ${resumedAt}): ${JSON.stringify(gaps)}\n${[...nodes.values()].map((n) => n.stderr().slice(-3000)).join("\n")}`).toEqual([]);
    }
    const all = await rows();
    // Each fragment once: per file, seqs run on by one and byte ranges never overlap.
    const byFile = new Map<number, Row[]>();
    for (const r of all) byFile.set(r.file_id, [...(byFile.get(r.file_id) ?? []), r]);
    for (const [fileId, frs] of byFile) {
      frs.sort((a, b) => a.seq - b.seq);
      frs.forEach((r, i) => {
        expect(r.seq, `file ${fileId}: seq ${i}`).toBe(frs[0]!.seq + i);
        if (i) expect(r.byte_offset, `file ${fileId}: fragment ${r.seq} after ${frs[i - 1]!.seq}, not over it`).toBeGreaterThanOrEqual(frs[i - 1]!.byte_offset + frs[i - 1]!.size);
      });
    }
    for (const c of cams) {
      const mine = all.filter((r) => r.camera_id === c && r.start_ms > haltedAt - 2000 && r.end_ms < resumedAt + 2000).sort((a, b) => a.start_ms - b.start_ms);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start_ms - mine[i - 1]!.end_ms, `camera ${c}: continuous through the outage`).toBeLessThan(LEASE_MS);
      console.log(`camera ${c}: ${mine.length} fragments over the ${((resumedAt - haltedAt) / 1000).toFixed(1)} s outage, epoch ${before.get(c)!.epoch} on ${before.get(c)!.nodeId} throughout`);
    }
    for (const r of all) {
      const size = statSync(join(nodes.get(r.node_id)!.dataDir, r.path), { throwIfNoEntry: false })?.size;
      expect(size, `fragment ${r.id} of ${r.node_id}`).toBeGreaterThanOrEqual(r.byte_offset + r.size);
    }
  }, 300_000);
});
