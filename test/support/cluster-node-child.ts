// One recorder node of a cluster in a process of its own (issue 22), wired as the recorder role
// wires it on PostgreSQL: a LeaseKeeper and a Recorder that records only what it holds. Arguments:
// <dataDir> <databaseUrl> <options JSON: nodeId, leaseMs, capacity, handOversPerRound, settings>.
// Prints "ready", then one JSON line per lease round ({"round":…}) and per fenced camera.
// With BENCH_PROFILE_DIR set, SIGUSR2 starts a CPU profile and the next SIGUSR2 writes it there as
// <nodeId>.cpuprofile (the benchmark profiles one node over its measuring window), then prints "profiled".
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { LeaseKeeper } from '../../src/cluster/lease-keeper.js';
import { FOOTAGE_KEY, PeerFootageServer } from '../../src/cluster/peer-footage.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories } from '../../src/db/repositories.js';
import { Wakeups } from '../../src/db/wakeups.js';
import { LEASE_CHANNEL } from '../../src/services/recorder.service.js';
import { systemClock } from '../../src/domain/clock.js';
import { Recorder, type RecorderSettings } from '../../src/recorder/recorder.js';
import { testSources } from './sources.js';

interface NodeOptions {
  nodeId: string;
  leaseMs: number;
  capacity?: number;
  handOversPerRound?: number;
  settings?: Partial<RecorderSettings>;
  logLevel?: string;
  /** Keep leases only, record nothing (the benchmark's 10,000 leased cameras). */
  leasesOnly?: boolean;
  /** Serve this node's recording files and live streams to the cluster's other processes on a free loopback port. */
  peer?: boolean;
  /** How often the node writes its index rows (the recorder's default 300 ms when absent). */
  indexIntervalMs?: number;
}

const [dataDir, dbUrl, json] = process.argv.slice(2);
if (!dataDir || !dbUrl || !json) {
  process.stderr.write('usage: cluster-node-child <dataDir> <databaseUrl> <options JSON>\n');
  process.exit(2);
}
const o = JSON.parse(json) as NodeOptions;
const settings: RecorderSettings = { fileSeconds: 600, fragmentMaxMs: 1000, reconnectMinMs: 300, reconnectMaxMs: 2000, staggerMs: 20, ...o.settings };
const logger = pino({ level: o.logLevel ?? 'warn', base: { node: o.nodeId } }, destination(2));
const db = openDatabase(dbUrl, { poolSize: 4 });
await migrateToLatest(db);
const repos = createRepositories(db);
const wakeups = new Wakeups(db);
const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
let recording: Recorder | undefined;
const peer = o.peer ? new PeerFootageServer({ dataDir, key: await repos.cluster.key(FOOTAGE_KEY, Date.now()), logger, live: (id) => recording?.liveTap(id) }) : undefined;
const peerUrl = peer ? `http://127.0.0.1:${await peer.listen()}` : null;
let round = 0;
const keeper = new LeaseKeeper(
  repos.leases,
  () => repos.recordings.recordableCameras(),
  {
    nodeId: o.nodeId, url: peerUrl, capacity: o.capacity ?? 500, leaseMs: o.leaseMs, handOversPerRound: o.handOversPerRound ?? 5,
    wakeups: { notify: () => void wakeups.notify(LEASE_CHANNEL).catch(() => undefined), listen: (cb) => wakeups.listen(LEASE_CHANNEL, cb) },
    onRound: (r) => say({ round: ++round, held: keeper.heldCount, lost: r.lost, acquired: r.acquired, released: r.released, ...(r.look ? { look: r.look } : {}), at: Date.now() }),
  },
  logger,
);
const fenced = keeper.fenced.bind(keeper);
keeper.fenced = (cameraId, epoch) => {
  say({ fenced: cameraId, epoch, at: Date.now() });
  fenced(cameraId, epoch);
};
const recorder = new Recorder(
  { dataDir, settings, repo: repos.recordings, sources: testSources(dataDir), clock: systemClock, logger, leases: keeper, fencedFootage: repos.fencedFootage },
  { refreshMs: 2000, noDataTimeoutMs: 3000, connectTimeoutMs: 3000, ...(o.indexIntervalMs ? { indexIntervalMs: o.indexIntervalMs } : {}) },
);
recording = recorder;
await keeper.start();
if (!o.leasesOnly) await recorder.start();
process.stdout.write(`ready ${JSON.stringify({ held: keeper.held().size })}\n`);
const profileDir = process.env.BENCH_PROFILE_DIR;
if (profileDir) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!session) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        return;
      }
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(profileDir, `${o.nodeId}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
      session = undefined;
      process.stdout.write('profiled\n');
    })();
  });
}
process.once('SIGTERM', () => {
  void (async () => {
    if (!o.leasesOnly) await recorder.close();
    await keeper.close();
    await peer?.close();
    await wakeups.close();
    await db.close();
    process.exit(0);
  })();
});
