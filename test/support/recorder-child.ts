// The recorder in a process of its own, for the fault tests (kill -9) and the recording
// benchmark (CPU and PSS of this process alone). Arguments: <dataDir> <databaseUrl> [settings JSON].
// Prints "ready" once recording started; on SIGTERM closes cleanly and prints one JSON line of
// totals (frames lost, bytes, fragments).
import { sharedSlabPool } from '../../src/media/rtp/slab-arena.js';
import '../../src/services/recorder.service.js'; // sizes the libuv pool as the recorder role does
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { destination, pino } from 'pino';
import { Registry } from 'prom-client';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories } from '../../src/db/repositories.js';
import { systemClock } from '../../src/domain/clock.js';
import { createRecorderMetrics } from '../../src/recorder/metrics.js';
import { Recorder, type RecorderSettings } from '../../src/recorder/recorder.js';
import { testSources } from './sources.js';

const [dataDir, dbUrl, settingsJson] = process.argv.slice(2);
if (!dataDir || !dbUrl) {
  process.stderr.write('usage: recorder-child <dataDir> <databaseUrl> [settings JSON]\n');
  process.exit(2);
}
const settings: RecorderSettings & { logLevel?: string } = {
  fileSeconds: 600,
  fragmentMaxMs: 2000,
  reconnectMinMs: 500,
  reconnectMaxMs: 5000,
  staggerMs: 20,
  ...(settingsJson ? (JSON.parse(settingsJson) as Partial<RecorderSettings>) : {}),
};
// Garbage collection by kind (count and pause time), reported with the totals.
const gc: Record<string, { count: number; ms: number }> = {};
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = GC_KINDS[(e as PerformanceEntry & { detail: { kind: number } }).detail.kind] ?? 'other';
    const k = (gc[kind] ??= { count: 0, ms: 0 });
    k.count++;
    k.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
// Memory by kind, sampled each second while recording: the mean and the most of each (MB).
const memorySamples: NodeJS.MemoryUsage[] = [];
const memoryTimer = setInterval(() => memorySamples.push(process.memoryUsage()), 1000);
memoryTimer.unref();
function memorySplit(): Record<string, { mean: number; max: number }> {
  const kinds = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;
  const mb = (v: number) => Math.round((v / 2 ** 20) * 10) / 10;
  return Object.fromEntries(
    kinds.map((k) => {
      const v = memorySamples.map((m) => m[k]);
      return [k, { mean: mb(v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)), max: mb(Math.max(0, ...v)) }];
    }),
  );
}
const logger = pino({ level: settings.logLevel ?? 'warn' }, destination(2));
const registry = new Registry();
const metrics = createRecorderMetrics(registry);
const db = openDatabase(dbUrl);
await migrateToLatest(db);
const repos = createRepositories(db);
const recorder = new Recorder({ dataDir, settings, repo: repos.recordings, sources: testSources(dataDir), clock: systemClock, logger, metrics });
await recorder.start();
process.stdout.write(`ready ${JSON.stringify(recorder.recovery)}\n`);
// Alive until told to stop, with or without cameras (their sockets alone would keep it running).
const keepAlive = setInterval(() => undefined, 1 << 30);

process.once('SIGTERM', () => {
  void (async () => {
    clearInterval(memoryTimer);
    clearInterval(keepAlive);
    const memory = process.memoryUsage();
    // Of the frames lost, those the writers dropped because fragments waited too long for the disk
    // (or the volume was full): the rest were lost on the way in (damaged, or a session dropped).
    const droppedByWriters = [...recorder.sessions.values()].reduce((n, s) => n + s.writer.framesDropped, 0);
    await recorder.close();
    const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values.reduce((s, v) => s + v.value, 0);
    const totals = {
      framesLost: await value('vigil_recorder_frames_lost_total'),
      droppedByWriters,
      bytesWritten: await value('vigil_recorder_bytes_written_total'),
      fragments: await value('vigil_recorder_fragments_total'),
      reconnects: await value('vigil_recorder_reconnects_total'),
      heapUsedMb: Math.round(memory.heapUsed / 2 ** 20),
      heapTotalMb: Math.round(memory.heapTotal / 2 ** 20),
      externalMb: Math.round(memory.external / 2 ** 20),
      arrayBuffersMb: Math.round(memory.arrayBuffers / 2 ** 20),
      rssMb: Math.round(memory.rss / 2 ** 20),
      memory: memorySplit(),
      // Slabs the NAL units are copied into: how many were made anew and how many reused.
      slabs: { ...sharedSlabPool.stats, slabKb: sharedSlabPool.slabBytes / 1024 },
      gc: Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, { count: v.count, ms: Math.round(v.ms) }])),
    };
    process.stdout.write(`${JSON.stringify(totals)}\n`);
    await db.close();
    process.exit(0);
  })();
});
