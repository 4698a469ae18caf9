// A recorder node that lost its leases keeps what it wrote under them aside (issue 22), with real
// processes over one PostgreSQL and the simulator as cameras. Node n1 writes its index rows only
// every few seconds, so at any moment its files hold complete fragments the index has not yet
// seen. It is paused (SIGSTOP) while some do; n2 takes its cameras over; n1 resumes: the index
// refuses those rows (the epoch moved on). Judged by the rows and the bytes on disk:
// - each such file's unindexed fragments are in a file of their own under fenced/ — the file's
//   init segment and exactly those bytes —, registered with their hash, times, epoch and node,
//   and whether they overlap the new holder's footage, and a camera event names the kept file;
// - the recording file is cut back to its indexed end and closed; no row of the lost epoch is
//   added; every camera is recorded by n2 under a higher epoch.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { scanFragments } from '../../src/media/fmp4/scan.js';
import { freshPostgresUrl } from '../support/databases.js';
import { startClusterNode, type ClusterNode } from '../support/cluster-node.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { startSimProcess } from '../support/sim-process.js';

const CAMERAS = 3;
const LEASE_MS = 4000;

interface OpenFile {
  id: number;
  cameraId: number;
  epoch: number;
  path: string;
  initSize: number;
  /** End of the last indexed fragment. */
  indexedEnd: number;
}

describe('footage written under a lost lease (two processes, one PostgreSQL)', () => {
  let db: Db;
  let url: string;
  let repos: Repositories;
  let sim: Awaited<ReturnType<typeof startSimProcess>>;
  let cams: number[];
  const nodes: ClusterNode[] = [];

  const until = async (what: string, check: () => Promise<boolean>, limitMs = 180_000) => {
    const deadline = Date.now() + limitMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`never happened: ${what}\n${nodes.map((n) => `${n.id}: ${n.stderr().slice(-1500)}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const holders = async () => new Map((await repos.leases.leases()).map((l) => [l.cameraId, l]));
  const openFiles = async (nodeId: string): Promise<OpenFile[]> =>
    (await sql<{ id: number; camera_id: number; epoch: number; path: string; init_size: number; indexed_end: number | null }>`
      select f.id, f.camera_id, f.epoch, f.path, f.init_size, (select max(g.byte_offset + g.size) from recording_fragments g where g.file_id = f.id) as indexed_end
      from recording_files f where f.node_id = ${nodeId} and f.closed = 0`.execute(db.kysely)).rows
      .filter((r) => r.indexed_end !== null)
      .map((r) => ({ id: Number(r.id), cameraId: Number(r.camera_id), epoch: Number(r.epoch), path: r.path, initSize: Number(r.init_size), indexedEnd: Number(r.indexed_end) }));

  beforeAll(async () => {
    url = await freshPostgresUrl();
    db = openDatabase(url);
    await migrateToLatest(db);
    repos = createRepositories(db);
    sim = await startSimProcess(CAMERAS);
    cams = await seedRecordableCameras(repos, sim.urls);
    nodes.push(await startClusterNode(mkdtempSync(join(tmpdir(), 'vigil-n1-')), url, { nodeId: 'n1', leaseMs: LEASE_MS, indexIntervalMs: 5000 }));
    await until('n1 records every camera', async () => {
      const h = await holders();
      const files = await openFiles('n1');
      return cams.every((c) => h.get(c)?.nodeId === 'n1' && files.some((f) => f.cameraId === c));
    });
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await sim?.stop();
    await db?.close();
  });

  it('keeps aside and registers the fragments the index refused, and cuts the recording file back', async () => {
    const n1 = nodes[0]!;
    // Paused while at least one of its files holds complete fragments its index has not seen.
    // What is on disk is read at the pause; what the index holds is read once n2 holds every
    // camera, since a commit n1 sent just before the pause may still land until then.
    const atPause = new Map<number, { file: OpenFile; fragments: { offset: number; length: number }[]; bytes: Buffer }>();
    for (let attempt = 0; attempt < 20 && !atPause.size; attempt++) {
      await new Promise((r) => setTimeout(r, 1500));
      n1.child.kill('SIGSTOP');
      await until('no statement of n1 still running', async () =>
        Number((await sql<{ n: number }>`select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and state = 'active'`.execute(db.kysely)).rows[0]!.n) === 0);
      for (const f of await openFiles('n1')) {
        const abs = join(n1.dataDir, f.path);
        const scan = await scanFragments(abs);
        if (!scan.fragments.some((x) => x.offset >= f.indexedEnd)) continue;
        atPause.set(f.id, { file: f, fragments: scan.fragments.map((x) => ({ offset: x.offset, length: x.length })), bytes: readFileSync(abs) });
      }
      if (!atPause.size) n1.child.kill('SIGCONT');
    }
    expect(atPause.size, 'a pause with unindexed fragments on disk').toBeGreaterThan(0);
    const lost = new Map([...(await holders()).values()].filter((l) => l.nodeId === 'n1').map((l) => [l.cameraId, l.epoch]));

    nodes.push(await startClusterNode(mkdtempSync(join(tmpdir(), 'vigil-n2-')), url, { nodeId: 'n2', leaseMs: LEASE_MS }));
    await until('n2 records every camera under a higher epoch', async () => {
      const rows = (await sql<{ camera_id: number; epoch: number }>`select distinct g.camera_id, g.epoch from recording_fragments g join recording_files f on f.id = g.file_id where f.node_id = 'n2'`.execute(db.kysely)).rows;
      return cams.every((c) => rows.some((r) => Number(r.camera_id) === c && Number(r.epoch) > (lost.get(c) ?? 0)));
    });
    // n1 holds no camera now: its index rows under the lost epochs are final.
    const tails = new Map<number, { file: OpenFile; fragments: number; bytes: Buffer }>();
    for (const p of atPause.values()) {
      const indexedEnd = Number((await sql<{ e: number }>`select max(byte_offset + size) as e from recording_fragments where file_id = ${p.file.id}`.execute(db.kysely)).rows[0]!.e);
      const after = p.fragments.filter((x) => x.offset >= indexedEnd);
      if (!after.length) continue;
      // (Between fragments a free box may pad the file to the direct-I/O block.)
      expect(p.fragments.some((x) => x.offset + x.length === indexedEnd), `${p.file.path}: the indexed end is a fragment boundary`).toBe(true);
      const end = after.at(-1)!.offset + after.at(-1)!.length;
      tails.set(p.file.id, { file: { ...p.file, indexedEnd }, fragments: after.length, bytes: Buffer.concat([p.bytes.subarray(0, p.file.initSize), p.bytes.subarray(after[0]!.offset, end)]) });
    }
    expect(tails.size, 'unindexed fragments on disk once n2 holds every camera').toBeGreaterThan(0);
    const maxIdAtTakeover = Number((await sql<{ m: number | null }>`select max(id) as m from recording_fragments`.execute(db.kysely)).rows[0]?.m ?? 0);
    n1.child.kill('SIGCONT');
    await until('the refused fragments kept aside', async () => (await repos.fencedFootage.list()).length >= tails.size);

    const kept = await repos.fencedFootage.list();
    expect(kept.length, 'one kept file per file with refused fragments').toBe(tails.size);
    for (const t of tails.values()) {
      const k = kept.find((x) => x.sourcePath === t.file.path);
      expect(k, `${t.file.path} kept aside`).toBeDefined();
      expect(k).toMatchObject({ cameraId: t.file.cameraId, nodeId: 'n1', epoch: t.file.epoch, fragments: t.fragments, bytes: t.bytes.length });
      expect(k!.epoch).toBe(lost.get(t.file.cameraId));
      // Exactly the init segment and the refused fragments, as they were on disk.
      const body = readFileSync(join(n1.dataDir, k!.path));
      expect(body.equals(t.bytes), `${k!.path} holds the init segment and the refused fragments`).toBe(true);
      expect(k!.sha256).toBe(createHash('sha256').update(body).digest('hex'));
      const scan = await scanFragments(body);
      expect(scan.fragments.length).toBe(t.fragments);
      expect(scan.tail, `${k!.path} is whole fMP4`).toBeUndefined();
      // Times follow the last indexed fragment; "overlaps" says whether the new holder's footage lies in them.
      const lastIndexed = Number((await sql<{ e: number }>`select max(end_ms) as e from recording_fragments where file_id = ${t.file.id}`.execute(db.kysely)).rows[0]!.e);
      expect(k!.startMs).toBeGreaterThanOrEqual(lastIndexed);
      expect(k!.endMs).toBeGreaterThan(k!.startMs);
      const newer = Number((await sql<{ s: number }>`select min(start_ms) as s from recording_fragments where camera_id = ${t.file.cameraId} and epoch > ${t.file.epoch}`.execute(db.kysely)).rows[0]!.s);
      expect(k!.overlapsHolder).toBe(newer < k!.endMs);
      // The recording file ends where its index ends, and is closed.
      expect(statSync(join(n1.dataDir, t.file.path)).size).toBe(t.file.indexedEnd);
      const row = (await repos.recordings.files(t.file.cameraId)).find((f) => f.id === t.file.id)!;
      expect(row.closed).toBe(true);
      const events = await repos.recordings.events(t.file.cameraId, 'error');
      expect(events.some((e) => e.detail?.includes(`FENCED: ${t.fragments} fragment(s)`) && e.detail.includes(k!.path))).toBe(true);
    }
    const after = (await sql<{ camera_id: number; epoch: number }>`select g.camera_id, g.epoch from recording_fragments g join recording_files f on f.id = g.file_id
      where g.id > ${maxIdAtTakeover} and f.node_id = 'n1'`.execute(db.kysely)).rows;
    expect(after.filter((r) => lost.get(Number(r.camera_id)) === Number(r.epoch)), 'rows written by n1 under its lost epochs after n2 took every camera').toEqual([]);
  });
});
