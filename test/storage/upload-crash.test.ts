// A recorder node killed (SIGKILL) while uploading: the restarted node finds what is left in the
// index and finishes it. Every file ends in the store exactly once (an object stored just before
// the kill, without its row, is adopted, not stored again), no local copy stays behind, and the
// footage verifies from the store. SQLite: the child process opens the same database file.
import { HeadObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { systemClock } from '../../src/domain/clock.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { verifyFootage } from '../../src/integrity/footage-verify.js';
import { cameraPolicies } from '../../src/retention/camera-policies.js';
import { FootageUploader } from '../../src/retention/footage-uploader.js';
import { DAY_MS } from '../../src/retention/retention-decision.js';
import { absoluteFootagePath, StoredFootage } from '../../src/storage/footage-reader.js';
import { S3ObjectStore, type S3Settings } from '../../src/storage/s3-object-store.js';
import { cephUnavailable, startCephS3, type CephS3 } from '../support/ceph-s3.js';
import { seedRecordableCameras } from '../support/recorder-cameras.js';
import { recordFootage, type WrittenFile } from '../evidence/footage.js';
import { quiet } from '../evidence/world.js';
import { testChildEntry } from '../support/vigil-entry.js';

const ROOT = join(import.meta.dirname, '..', '..');
const unavailable = cephUnavailable();

describe.skipIf(unavailable !== null)(`an uploading node killed with SIGKILL${unavailable ? ` — skipped: ${unavailable}` : ''}`, () => {
  let ceph: CephS3;
  let db: Db;
  let repos: Repositories;
  let dataDir: string;
  let dbUrl: string;
  let files: WrittenFile[];
  let s3: S3Settings;
  let store: S3ObjectStore;

  beforeAll(async () => {
    ceph = await startCephS3();
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-upload-crash-'));
    dbUrl = `sqlite:${join(dataDir, 'vigil.db')}`;
    db = openDatabase(dbUrl);
    await migrateToLatest(db);
    repos = createRepositories(db);
    const [cam] = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/1'], Date.now());
    files = await recordFootage(repos, dataDir, cam!, { startMs: Date.now() - DAY_MS, files: 8, secondsPerFile: 5 });
    s3 = { endpoint: ceph.endpoint, region: ceph.region, bucket: 'vigil-crash', accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey, forcePathStyle: true, keyPrefix: '', timeoutMs: 10_000 };
    store = new S3ObjectStore(s3);
  }, 180_000);
  afterAll(async () => {
    store?.close();
    await db?.close();
    await ceph?.stop();
  });

  it('loses nothing and stores nothing twice', async () => {
    // The node uploads; it is killed the moment the store has taken its first object.
    const child = spawn(process.execPath, [...testChildEntry(join(ROOT, 'test/support/uploader-child.ts')), JSON.stringify({ dbUrl, dataDir, s3 })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('put ')) child.kill('SIGKILL');
    });
    expect(await ended, `the child finished before it was killed: ${out} ${err}`).toBe('SIGKILL');
    const before = await repos.footageObjects.backlog();
    expect(before.files).toBeGreaterThan(0);

    // The node comes back: what the index still lists is uploaded, once.
    const catalogue = loadProfiles();
    const r = await new FootageUploader({
      repos, objects: store, clock: systemClock, logger: quiet,
      absolute: (p) => absoluteFootagePath(dataDir, p),
      policies: cameraPolicies({ repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => 'national' }),
    }).runOnce();
    expect(r.error).toBeNull();
    // Each file the index still listed is now stored: by a PUT, or adopted when the store had taken it before the kill.
    expect(r.uploaded).toBe(before.files);
    expect(await repos.footageObjects.backlog()).toEqual({ files: 0, bytes: 0 });
    const admin = new S3Client({
      endpoint: ceph.endpoint, region: ceph.region, forcePathStyle: true, credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      for (const f of files) {
        const versions = (await admin.send(new ListObjectVersionsCommand({ Bucket: s3.bucket, Prefix: f.path }))).Versions ?? [];
        expect(versions, f.path).toHaveLength(1);
        const row = (await repos.footageObjects.byFile(f.id))!;
        expect(row.versionId).toBe(versions[0]!.VersionId);
        expect((await admin.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: f.path }))).ObjectLockMode).toBe('COMPLIANCE');
        expect(existsSync(absoluteFootagePath(dataDir, f.path))).toBe(false);
      }
    } finally {
      admin.destroy();
    }
    const report = await verifyFootage(
      { repo: repos.integrityLog, index: repos.recordingIndex, publicKey: PlatformKeys.ephemeral().publicKey, absolute: (p) => absoluteFootagePath(dataDir, p), footage: new StoredFootage(dataDir, store) },
      { checkLog: false },
    );
    expect(report.problems).toEqual([]);
    expect(report.files).toBe(files.length);
  }, 180_000);
});
