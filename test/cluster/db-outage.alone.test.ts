// PostgreSQL away for longer than the lease (issue 22), with a real pg_ctl stop and start: two
// recorder nodes keep recording three cameras to local disk under the epochs they hold — files
// rotate meanwhile (4 s files), and one camera is made to reconnect during the outage (its
// simulator paused past the stall timeout, then resumed), so files are opened while the database
// is away; when it returns, those files' rows and the index rows written meanwhile are committed
// — each once — the reconnected camera's hole is a gap event, and no camera moved (nobody could
// take one over while the database was down, and a node back from the outage lets the holders
// renew first). Judged by the rows and the leases, not by timing margins: the outage is five
// lease times long because that is the fault under test.
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

const CAMERAS = 3;
const OUTAGE_MS = 20_000;
const LEASE_MS = 4000;

interface Row { id: number; file_id: number; seq: number; camera_id: number; epoch: number; start_ms: number; end_ms: number; node_id: string; byte_offset: number; size: number; path: string }

describe('PostgreSQL stopped for longer than the lease, then started again', () => {
  let pg: ThrowawayPostgres;
  let db: Db;
  let repos: Repositories;
  let sim: Awaited<ReturnType<typeof startSimProcess>>;
  /** The camera made to reconnect during the outage, in a simulator of its own. */
  let flaky: Awaited<ReturnType<typeof startSimProcess>>;
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
    sim = await startSimProcess(CAMERAS - 1);
    flaky = await startSimProcess(1);
    cams = await seedRecordableCameras(repos, [...sim.urls, ...flaky.urls]);
    for (const id of ['n1', 'n2']) nodes.set(id, await startClusterNode(mkdtempSync(join(tmpdir(), `vigil-${id}-`)), url, { nodeId: id, leaseMs: LEASE_MS, settings: { fileSeconds: 4 } }));
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
    flaky?.child.kill('SIGCONT');
    await flaky?.stop();
    await db?.close();
    await pg?.stop();
  });

  it('recording goes on to local disk through rotations and a reconnect, the rows catch up once each, the hole is a gap, and no camera moves', async () => {
    const before = new Map((await repos.leases.leases()).map((l) => [l.cameraId, l]));
    const reconnecting = cams.at(-1)!;
    const steady = cams.filter((c) => c !== reconnecting);
    const haltedAt = Date.now();
    await pg.halt();
    // The camera goes quiet past the nodes' stall timeout (3 s) and comes back: its session ends
    // its file, reconnects and opens a new one, all while the database is away.
    await new Promise((r) => setTimeout(r, 1000));
    flaky.child.kill('SIGSTOP');
    const pausedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    flaky.child.kill('SIGCONT');
    const continuedAt = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, haltedAt + OUTAGE_MS - Date.now())));
    const resumedAt = Date.now();
    await pg.resume();
    await until('fragments recorded during the outage indexed, and recording after it', async () => {
      const r = await rows();
      return cams.every((c) => r.some((x) => x.camera_id === c && x.start_ms > haltedAt && x.end_ms < resumedAt) && r.some((x) => x.camera_id === c && x.start_ms > resumedAt)) &&
        r.some((x) => x.camera_id === reconnecting && x.start_ms > continuedAt && x.end_ms < resumedAt);
    });
    // Files opened while the database was away have their rows now: rotations of every camera,
    // and the reconnected camera's file after its return.
    const files = (await sql<{ camera_id: number; started_at: number }>`select camera_id, started_at from recording_files`.execute(db.kysely)).rows.map((f) => ({ camera: Number(f.camera_id), startedAt: Number(f.started_at) }));
    for (const c of cams) expect(files.filter((f) => f.camera === c && f.startedAt > haltedAt && f.startedAt < resumedAt).length, `camera ${c}: files opened during the outage, indexed`).toBeGreaterThanOrEqual(2);
    expect(files.some((f) => f.camera === reconnecting && f.startedAt > continuedAt && f.startedAt < resumedAt), 'the reconnected camera\'s new file, opened during the outage, indexed').toBe(true);
    // Its hole is recorded as a gap, within the outage, from about when it went quiet.
    await until('the reconnected camera\'s gap in the index', async () =>
      (await repos.recordings.events(reconnecting, 'gap')).some((g) => g.startMs >= pausedAt - 2000 && g.startMs < continuedAt && (g.endMs ?? 0) > continuedAt - 1000 && (g.endMs ?? 0) < resumedAt));
    // A few more rounds: a node back from the outage could have taken a camera only now.
    await nodes.get('n1')!.next((l) => l.round !== undefined);
    await until('two lease times after the return', async () => Date.now() > resumedAt + 2 * LEASE_MS);
    await nodes.get('n1')!.next((l) => l.round !== undefined);

    for (const c of cams) {
      const l = (await repos.leases.lease(c))!;
      if (c === reconnecting) {
        expect({ node: l.nodeId, epoch: l.epoch }, `camera ${c}: not moved by the outage`).toEqual({ node: before.get(c)!.nodeId, epoch: before.get(c)!.epoch });
        continue;
      }
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
    // No fragment twice: one row per camera, epoch and start (a hand-over while placement settled
    // overlaps the two holders by part of a GOP by design: those are two epochs).
    for (const c of cams) {
      const mine = all.filter((r) => r.camera_id === c);
      const twice = mine.filter((r) => mine.some((o) => o !== r && o.epoch === r.epoch && o.start_ms === r.start_ms));
      expect(twice, `camera ${c}: each fragment indexed once (halted ${haltedAt}, resumed ${resumedAt})`).toEqual([]);
    }
    for (const c of steady) {
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
