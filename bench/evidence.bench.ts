// npm run bench:evidence — evidence at scale. Goals: export of one hour of one 3 Mbit/s camera at
// ≥ 50× real time; verification of stored footage at ≥ 300 MB/s on one core; a retention pass
// over 100 cameras × 30 days of index in < 5 s.
//   export   an hour of fMP4 recorded through the recorder's own writer (Fmp4Muxer, RecordingFile
//            with its fsyncs, index rows), 25 fps, a keyframe a second, ~3 Mbit/s (real SPS/PPS from
//            ffmpeg, picture payload filler), 10-minute files. Timed: sealing the camera's Merkle
//            log and signing a head, the inclusion proofs from its stored nodes, writing the package (copy, hash, check,
//            proofs, signed manifest, verify.html, fsyncs). The access check in front of it is
//            one query and is left out. The package is then verified offline.
//   verify   verifyFootage over that hour: every byte re-read and hashed, every leaf checked,
//            the log's root recomputed against its signed head. Single-threaded: MB/s per core.
//   cleaner  100 cameras × 30 days of 10-minute files (432,000 index rows) plus one expired hour
//            per camera; one full pass (decision, registering, garbage table, unlinking).
// BENCH_EVIDENCE_MINUTES shortens the hour. Last line: one JSON object.
import { join } from 'node:path';
import { pino } from 'pino';
import { AuditLog } from '../src/audit/audit-log.js';
import { PlatformKeys } from '../src/audit/platform-key.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import type { RecordingFragment } from '../src/db/recording.repository.js';
import { createRepositories, type Repositories } from '../src/db/repositories.js';
import { fixedClock } from '../src/domain/clock.js';
import { loadProfiles } from '../src/domain/profile-loader.js';
import { writePackage, type PackageSource } from '../src/export/package-writer.js';
import { verifyPackage } from '../src/export/package-verify.js';
import { PACKAGE_FORMAT } from '../src/export/manifest.js';
import { verifyFootage } from '../src/integrity/footage-verify.js';
import { MerkleLog } from '../src/integrity/merkle-log.js';
import { Fmp4Muxer } from '../src/media/fmp4/muxer.js';
import { RecordingFile } from '../src/recorder/recording-file.js';
import { SegmentStore } from '../src/recorder/segment-store/segment-store.js';
import { cameraPolicies } from '../src/retention/camera-policies.js';
import { RetentionCleaner } from '../src/retention/cleaner.js';
import { DAY_MS } from '../src/retention/retention-decision.js';
import { seedRecordableCameras } from '../test/support/recorder-cameras.js';
import { testAccessUnits } from '../test/evidence/footage.js';
import { removeDir, runBench, type BenchRun } from './bench-run.js';

const MINUTES = Number(process.env.BENCH_EVIDENCE_MINUTES ?? 60);
const BITRATE = 3_000_000;
const FPS = 25;
const FILE_SECONDS = 600;
const T0 = Date.UTC(2027, 0, 1);
const logger = pino({ level: 'silent' });
const say = (s: string) => process.stderr.write(`${s}\n`);

async function freshDb(dir: string): Promise<{ db: Db; repos: Repositories }> {
  const db = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
  await migrateToLatest(db);
  return { db, repos: createRepositories(db) };
}

/** Records `minutes` of one camera the way the recorder does. */
async function recordHour(repos: Repositories, store: SegmentStore, cameraId: number): Promise<number> {
  const aus = await testAccessUnits();
  const sps = aus[0]!.nalus.find((n) => (n[0]! & 0x1f) === 7)!;
  const pps = aus[0]!.nalus.find((n) => (n[0]! & 0x1f) === 8)!;
  const frameBytes = Math.round(BITRATE / 8 / FPS);
  const filler = Buffer.alloc(frameBytes * 4);
  for (let i = 0; i < filler.length; i++) filler[i] = (i * 2654435761) >>> 24 || 1;
  let bytes = 0;
  const frames = MINUTES * 60 * FPS;
  for (let start = 0; start < frames; start += FILE_SECONDS * FPS) {
    const muxer = new Fmp4Muxer({ video: { codec: 'h264', sps, pps }, maxFragmentMs: 2000 });
    const startMs = T0 + Math.round((start / FPS) * 1000);
    const path = store.pathFor(cameraId, startMs);
    const init = muxer.init();
    const row = await repos.recordings.createFile({ cameraId, path, codec: 'avc1.64000d', width: 320, height: 180, initSize: init.length, startedAt: startMs });
    const file = await RecordingFile.create(store, path, init);
    const fragments: RecordingFragment[] = [];
    const write = async (x: ReturnType<Fmp4Muxer['flush']>) => {
      if (!x) return;
      const w = await file.append(x.bytes);
      fragments.push({ fileId: row.id, cameraId, seq: fragments.length, byteOffset: w.byteOffset, size: w.size, startMs: startMs + Math.round(x.startTime90k / 90), endMs: startMs + Math.round(x.endTime90k / 90), keyframe: x.keyframe, samples: x.sampleCount, sha256: w.sha256 });
    };
    const end = Math.min(frames, start + FILE_SECONDS * FPS);
    for (let i = start; i < end; i++) {
      const key = (i - start) % FPS === 0;
      const nal = filler.subarray((i % 3) * frameBytes, (i % 3) * frameBytes + frameBytes);
      nal[0] = key ? 0x65 : 0x41;
      await write(muxer.addVideo({ pts90k: (i - start) * 3600, nalus: [nal], keyframe: key }));
    }
    await write(muxer.flush());
    // Durable before the index is told where they are, as the recorder does: one sync for all.
    await file.sync();
    await file.close();
    await repos.recordings.commit({ fragments, fileProgress: [{ fileId: row.id, endedAt: fragments.at(-1)!.endMs, bytes: file.bytes, closed: true }], events: [] });
    bytes += file.bytes;
  }
  return bytes;
}

async function exportAndVerify(run: BenchRun): Promise<void> {
  const dir = run.tempDir('vigil-bench-evidence-');
  {
    const { db, repos } = await freshDb(dir);
    run.onCleanup('close the evidence database', () => db.close());
    const [cameraId] = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/1'], T0);
    const store = new SegmentStore(dir);
    // Its direct-write buffers hold a probe file open: closed, not left to garbage collection.
    run.onCleanup('close the segment store', () => store.close());
    const keys = PlatformKeys.ephemeral();
    const clock = fixedClock(T0 + MINUTES * 60_000 + 60_000);
    let t = performance.now();
    const bytes = await run.phase('record', 120 + MINUTES * 10, async () => {
      const b = await recordHour(repos, store, cameraId!);
      await store.close();
      return b;
    });
    say(`recorded ${MINUTES} min, ${(bytes / 1e6).toFixed(0)} MB (${((bytes * 8) / (MINUTES * 60) / 1e6).toFixed(2)} Mbit/s) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    await run.phase('export', 60 + MINUTES * 5, async () => {
    t = performance.now();
    const merkle = new MerkleLog({ repo: repos.integrityLog, index: repos.recordingIndex, keys, clock, logger, absolute: (p) => store.absolute(p) });
    await merkle.sealCamera(cameraId!);
    await merkle.signHeads();
    const head = (await repos.integrityLog.latestTreeHead(cameraId!))!;
    const sources: PackageSource[] = [];
    for (const file of await repos.recordingIndex.files(cameraId!)) {
      const leaves = new Map((await repos.integrityLog.leavesOfFile(file.id)).map((l) => [l.fragmentId, l.leafIndex]));
      sources.push({ file, initLeafIndex: leaves.get(0)!, fragments: (await repos.recordingIndex.fileFragments(file.id)).map((f) => ({ ...f, leafIndex: leaves.get(f.id)! })) });
    }
    const proofs = await merkle.inclusionProofs(cameraId!, Number(head.tree_size), sources.flatMap((s) => [s.initLeafIndex, ...s.fragments.map((f) => f.leafIndex)]));
    const out = join(dir, 'exports', '1');
    const iso = (ms: number) => new Date(ms).toISOString();
    await writePackage({
      dir: out, sources, absolute: (p) => store.absolute(p), proof: (i) => proofs.get(i)!.map((h) => h.toString('hex')), keys,
      fileName: (s, n) => `${n}-${s.file.startedAt}.mp4`,
      manifest: {
        format: PACKAGE_FORMAT, exportId: 1, createdAt: iso(clock.now()), camera: { id: cameraId!, nationalId: '34010400001320000001', name: 'bench', address: '' },
        range: { from: iso(T0), to: iso(T0 + MINUTES * 60_000), fromMs: T0, toMs: T0 + MINUTES * 60_000 },
        request: { id: 1, kind: 'retrieve', requestingUnit: 'bench', purpose: 'bench', destination: 'bench', caseNumber: null, officers: [], approvers: [] },
        exportedBy: { userId: 1, workId: null, name: null }, platform: { keyId: keys.keyId, publicKeyPem: keys.publicKeyPem() },
        treeHead: { cameraId: cameraId!, size: Number(head.tree_size), root: head.root_hash, at: Number(head.at), keyId: head.key_id, signature: head.signature }, note: '',
      },
    });
    const exportSec = (performance.now() - t) / 1000;
    const exportSpeedX = (MINUTES * 60) / exportSec;
    say(`export: ${exportSec.toFixed(2)} s for ${MINUTES} min → ${exportSpeedX.toFixed(0)}× real time (goal ≥ 50×)`);
    const pkg = await verifyPackage(out);
    if (!pkg.ok) throw new Error(`the package does not verify: ${JSON.stringify(pkg.first)}`);
    removeDir(out);
    run.result.exportSpeedX = Math.round(exportSpeedX);
    });

    await run.phase('verify', 60 + MINUTES * 5, async () => {
    t = performance.now();
    const r = await verifyFootage({ repo: repos.integrityLog, index: repos.recordingIndex, publicKey: keys.publicKey, absolute: (p) => store.absolute(p) }, { cameraId: cameraId! });
    const verifySec = (performance.now() - t) / 1000;
    if (!r.ok) throw new Error(`stored footage does not verify: ${JSON.stringify(r.first)}`);
    const verifyMBps = r.bytes / 1e6 / verifySec;
    say(`verify: ${(r.bytes / 1e6).toFixed(0)} MB, ${r.fragments} fragments in ${verifySec.toFixed(2)} s → ${verifyMBps.toFixed(0)} MB/s on one core (goal ≥ 300)`);
    run.result.verifyMBps = Math.round(verifyMBps);
    });
  }
}

async function cleanerPass(run: BenchRun): Promise<void> {
  const dir = run.tempDir('vigil-bench-cleaner-');
  {
    const { db, repos } = await freshDb(dir);
    run.onCleanup('close the cleaner database', () => db.close());
    const cameras = await seedRecordableCameras(repos, Array.from({ length: 100 }, (_, i) => `rtsp://127.0.0.1/${i}`), T0);
    const now = T0 + 31 * DAY_MS;
    // 30 days inside the period and the hour before them past it.
    const first = now - 30 * DAY_MS - 3_600_000 - 1000;
    const rows: Record<string, unknown>[] = [];
    let t = performance.now();
    for (const cameraId of cameras) {
      for (let s = first; s < now - FILE_SECONDS * 1000; s += FILE_SECONDS * 1000) {
        rows.push({ camera_id: cameraId, path: `recordings/${cameraId}/${new Date(s).toISOString().slice(0, 10)}/${cameraId}-${s}.mp4`, codec: 'avc1.64001f', width: 1920, height: 1080, init_size: 700, started_at: s, ended_at: s + FILE_SECONDS * 1000, bytes: 225_000_000, closed: 1 });
      }
    }
    await run.phase('cleaner-seed', 300, () => db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 2000) await trx.insertInto('recording_files').values(rows.slice(i, i + 2000) as never).execute();
    }));
    say(`cleaner: ${rows.length} index rows for 100 cameras × 30 days seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const clock = fixedClock(now);
    const catalogue = loadProfiles();
    const cleaner = new RetentionCleaner({
      repos: repos, index: repos.recordingIndex, audit: new AuditLog(db, { keys: PlatformKeys.ephemeral(), clock }), files: new SegmentStore(dir), clock, logger,
      policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => 'national' }),
    });
    t = performance.now();
    const report = await run.phase('cleaner', 300, () => cleaner.runOnce());
    const sec = (performance.now() - t) / 1000;
    say(`cleaner: one pass in ${sec.toFixed(2)} s, ${report.removedFiles} expired files removed and registered (goal < 5 s)`);
    if (report.removedFiles !== 100 * 6) throw new Error(`expected 600 files past their period, removed ${report.removedFiles}`);
    run.result.cleanerSec = Math.round(sec * 100) / 100;
  }
}

await runBench('evidence', async (run) => {
  await exportAndVerify(run);
  await cleanerPass(run);
});
