// Upload throughput to the object store against the recording rate (issue 22: goal ≥ 3×, so a
// store that was away catches up while cameras keep recording). Closed recording files of the
// configured bitrate and length are indexed and written to local disk as the recorder leaves
// them, then the real uploader (read, SHA-256, Content-MD5, one locked PUT each, the index row,
// the local copy removed) moves them into Ceph's radosgw started here, or into the store named by
// BENCH_S3_ENDPOINT/_BUCKET/_ACCESS_KEY_ID/_SECRET_ACCESS_KEY.
//
//   npm run bench:s3 -- [--cameras 150] [--kbps 2048] [--file-seconds 60] [--files 24] [--concurrency 4] [--part-mb 8,32]
//
// A readable table, then one JSON line: {"uploadMBps":…,"recordingMBps":…,"ratio":…,"load":[…]}.
// `measureS3Upload` is what the cluster benchmark calls with its own gateway.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createRepositories } from '../src/db/repositories.js';
import { systemClock } from '../src/domain/clock.js';
import { loadProfiles } from '../src/domain/profile-loader.js';
import { segmentPath } from '../src/recorder/segment-store/segment-names.js';
import { cameraPolicies } from '../src/retention/camera-policies.js';
import { FootageUploader } from '../src/retention/footage-uploader.js';
import { absoluteFootagePath } from '../src/storage/footage-reader.js';
import { S3ObjectStore } from '../src/storage/s3-object-store.js';
import { startCephS3 } from '../test/support/ceph-s3.js';
import { seedRecordableCameras } from '../test/support/recorder-cameras.js';
import { runBench, type BenchRun } from './bench-run.js';

export interface S3UploadOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** Cameras recording at once: the recording rate is cameras × kbps. */
  cameras: number;
  kbps: number;
  fileSeconds: number;
  /** Files uploaded in the measurement. */
  files: number;
  concurrency: number;
  /** A folder of its own for the data folder and database. */
  dir: string;
  /** The Ceph cluster's folder when it was started here: its daemons' CPU is counted. */
  storeDir?: string;
  /** Files larger than this go in parts (S3ObjectStore's default, 8 MiB, when absent). */
  partBytes?: number;
}

export interface S3UploadResult {
  files: number;
  bytes: number;
  seconds: number;
  uploadMBps: number;
  recordingMBps: number;
  ratio: number;
  /** CPU seconds per MB uploaded: this process (read, hashes, SDK) and the store's daemons (null: not started here). */
  clientCpuSecPerMB: number;
  storeCpuSecPerMB: number | null;
  /**
   * Where the limit is on this machine when it is CPU that binds: every core given to the
   * uploader and the store, MB/s = cores / (CPU-s per MB of both), and that against the recording
   * rate; `storeShare` is the store's part of the CPU per MB (null: the store's daemons not counted).
   */
  cpuBound: { cores: number; mbps: number; ratio: number; storeShare: number } | null;
  /** Load average (1, 5, 15 min) when the measurement ended. */
  load: number[];
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Indexes and writes `files` closed files of `kbps` × `fileSeconds`, then times their upload. */
export async function measureS3Upload(o: S3UploadOptions): Promise<S3UploadResult> {
  const db = openDatabase(`sqlite:${join(o.dir, 'bench.db')}`);
  try {
    await migrateToLatest(db);
    const repos = createRepositories(db);
    const catalogue = loadProfiles();
    const [cameraId] = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/bench'], Date.now());
    const fileBytes = Math.round((o.kbps * 1000 / 8) * o.fileSeconds);
    // Incompressible bytes, as H.264 is; one buffer shared by every file (the upload reads each back from disk).
    const body = randomBytes(fileBytes);
    const start = Date.now() - o.files * o.fileSeconds * 1000;
    for (let i = 0; i < o.files; i++) {
      const startedAt = start + i * o.fileSeconds * 1000;
      const path = segmentPath(cameraId!, startedAt);
      const abs = absoluteFootagePath(o.dir, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, body);
      const row = await repos.recordings.createFile({ cameraId: cameraId!, path, codec: 'avc1.640028', width: 1920, height: 1080, initSize: 700, startedAt });
      await repos.recordings.commit({ fragments: [], events: [], fileProgress: [{ fileId: row.id, endedAt: startedAt + o.fileSeconds * 1000, bytes: fileBytes, closed: true }] });
    }
    const store = new S3ObjectStore({ endpoint: o.endpoint, region: o.region, bucket: o.bucket, accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, forcePathStyle: true, keyPrefix: '', timeoutMs: 120_000, ...(o.partBytes ? { partBytes: o.partBytes } : {}) });
    try {
      await store.ensureBucket();
      const uploader = new FootageUploader({
        repos, objects: store, clock: systemClock, logger: pino({ level: 'silent' }), concurrency: o.concurrency, batch: Math.max(50, o.concurrency * 4),
        absolute: (p) => absoluteFootagePath(o.dir, p),
        policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => 'national' }),
      });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const store0 = o.storeDir ? cpuOfCommandsNaming(o.storeDir) : 0;
      const r = await uploader.runOnce();
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const storeCpu = o.storeDir ? cpuOfCommandsNaming(o.storeDir) - store0 : null;
      if (r.error) throw new Error(`upload failed: ${r.error}`);
      if (r.uploaded !== o.files) throw new Error(`uploaded ${r.uploaded} of ${o.files} files`);
      const uploadMBps = r.bytes / 1e6 / seconds;
      const recordingMBps = (o.cameras * o.kbps * 1000) / 8 / 1e6;
      const mb = r.bytes / 1e6;
      const client = (cpu.user + cpu.system) / 1e6 / mb;
      const cores = availableParallelism();
      const cpuBound = storeCpu === null ? null : { cores, mbps: round(cores / (client + storeCpu / mb)), ratio: round(cores / (client + storeCpu / mb) / recordingMBps, 2), storeShare: round(storeCpu / mb / (client + storeCpu / mb), 2) };
      return { cpuBound, clientCpuSecPerMB: round((cpu.user + cpu.system) / 1e6 / mb, 4), storeCpuSecPerMB: storeCpu === null ? null : round(storeCpu / mb, 4), files: r.uploaded, bytes: r.bytes, seconds: round(seconds, 2), uploadMBps: round(uploadMBps), recordingMBps: round(recordingMBps), ratio: round(uploadMBps / recordingMBps, 2), load: loadavg().map((x) => round(x, 2)) };
    } finally {
      store.close();
    }
  } finally {
    await db.close();
  }
}

/** Where the upload's limit is on this machine, in words. */
export function cpuBoundLine(r: S3UploadResult): string {
  const b = r.cpuBound;
  if (!b) return 'unknown (the store\'s daemons were not started here)';
  // With an uploader that cost nothing, the store alone on these cores.
  const storeAlone = r.storeCpuSecPerMB ? round(b.cores / r.storeCpuSecPerMB / r.recordingMBps, 2) : null;
  return `${b.mbps} MB/s = ${b.ratio}× the recording rate with all ${b.cores} cores; the store takes ${Math.round(b.storeShare * 100)} % of the CPU per MB, Vigil's uploader ${Math.round((1 - b.storeShare) * 100)} %; the store alone, with a free uploader, ${storeAlone}×`;
}

/** CPU seconds used so far by the processes whose command line names `text` (the store's daemons, by their folder). */
function cpuOfCommandsNaming(text: string): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* ended while listed */
    }
  }
  return ticks / 100;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    cameras: { type: 'string', default: '150' },
    kbps: { type: 'string', default: '2048' },
    'file-seconds': { type: 'string', default: '60' },
    files: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '4' },
    // Several (comma-separated) are measured one after another on the same store: the first is
    // the run's result, the others its A/B (a file no larger than the part size goes in one PUT).
    'part-mb': { type: 'string', default: '8' },
  },
  allowPositionals: true,
});

const int = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, not ${v}`);
  return n;
};

if (process.argv[1]?.endsWith('s3.bench.ts')) {
  await runBench('s3', async (run: BenchRun) => {
    const env = process.env;
    let target: Pick<S3UploadOptions, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>;
    let storeDir: string | undefined;
    if (env.BENCH_S3_ENDPOINT) {
      target = { endpoint: env.BENCH_S3_ENDPOINT, region: env.BENCH_S3_REGION ?? 'us-east-1', accessKeyId: env.BENCH_S3_ACCESS_KEY_ID ?? '', secretAccessKey: env.BENCH_S3_SECRET_ACCESS_KEY ?? '' };
    } else {
      const ceph = await run.phase('start ceph', 240, () => startCephS3(run.tempDir('vigil-bench-ceph-')));
      run.onCleanup('stop ceph', () => ceph.stop({ keepDir: true }));
      target = ceph;
      storeDir = ceph.dir;
    }
    const parts = (values['part-mb'] ?? '8').split(',').map((x) => int(x.trim(), 'part-mb'));
    const variants: Record<string, unknown>[] = [];
    let first: { o: S3UploadOptions; r: S3UploadResult } | undefined;
    for (const partMB of parts) {
      const o: S3UploadOptions = {
        ...target,
        bucket: env.BENCH_S3_BUCKET ?? `vigil-bench-${Date.now().toString(36)}`,
        cameras: int(values.cameras, 'cameras'), kbps: int(values.kbps, 'kbps'), fileSeconds: int(values['file-seconds'], 'file-seconds'),
        files: int(values.files, 'files'), concurrency: int(values.concurrency, 'concurrency'), dir: run.tempDir('vigil-bench-s3-'), storeDir, partBytes: partMB << 20,
      };
      const r = await run.phase(`upload, parts of ${partMB} MiB`, 900, () => measureS3Upload(o));
      first ??= { o, r };
      const fileMB = r.bytes / r.files / 1e6;
      const rows: [string, string][] = [
        ['part size', `${partMB} MiB (${fileMB * 1e6 > partMB << 20 ? `${Math.ceil((fileMB * 1e6) / (partMB << 20))} parts a file, then HEAD and the lock set again` : 'one PUT a file, locked in the request'})`],
        ['files uploaded', `${r.files} × ${round(fileMB)} MB (${o.fileSeconds} s at ${o.kbps} kbit/s)`],
        ['time', `${r.seconds} s, ${o.concurrency} at once`],
        ['upload', `${r.uploadMBps} MB/s`],
        ['recording rate', `${r.recordingMBps} MB/s (${o.cameras} cameras × ${o.kbps} kbit/s)`],
        ['upload / recording', `${r.ratio}× (goal ≥ 3×)`],
        ['CPU per MB', `${r.clientCpuSecPerMB} s here, ${r.storeCpuSecPerMB ?? '?'} s in the store`],
        ['limit if CPU-bound', cpuBoundLine(r)],
        ['load average', r.load.join(' ')],
      ];
      for (const [k, v] of rows) process.stdout.write(`${k.padEnd(20)} ${v}\n`);
      process.stdout.write('\n');
      variants.push({ partMB, uploadMBps: r.uploadMBps, ratio: r.ratio, clientCpuSecPerMB: r.clientCpuSecPerMB, storeCpuSecPerMB: r.storeCpuSecPerMB, cpuBound: r.cpuBound, load: r.load });
    }
    const { o, r } = first!;
    Object.assign(run.result, { cameras: o.cameras, kbps: o.kbps, files: r.files, seconds: r.seconds, uploadMBps: r.uploadMBps, recordingMBps: r.recordingMBps, ratio: r.ratio, clientCpuSecPerMB: r.clientCpuSecPerMB, storeCpuSecPerMB: r.storeCpuSecPerMB, cpuBound: r.cpuBound, load: r.load, ...(variants.length > 1 ? { variants } : {}) });
  });
}
