// Footage in a real S3 store with Object Lock (Ceph's radosgw, started here): uploads carry the
// legal retention in COMPLIANCE mode and the SHA-256; the store itself refuses early deletion
// and overwriting to its own administrator; a legal hold blocks deletion past retention; verify,
// the Merkle log and playback read from the store by ranges once the local copy is gone; an
// upload cut by a crash resumes from the index; the store away for a while loses nothing.
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyFootage } from '../../src/integrity/footage-verify.js';
import { MerkleLog } from '../../src/integrity/merkle-log.js';
import { StreamRegister } from '../../src/live/stream-register.js';
import { PlaybackService } from '../../src/playback/playback-service.js';
import { systemClock } from '../../src/domain/clock.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { keepFencedFragments } from '../../src/recorder/fenced-footage.js';
import { cameraPolicies } from '../../src/retention/camera-policies.js';
import { RetentionCleaner } from '../../src/retention/cleaner.js';
import { FencedFootageUploader } from '../../src/retention/fenced-footage-uploader.js';
import { FencedRetention } from '../../src/retention/fenced-retention.js';
import { FootageUploader } from '../../src/retention/footage-uploader.js';
import { ObjectLockSync } from '../../src/retention/object-lock-sync.js';
import { addPeriod, DAY_MS } from '../../src/retention/retention-decision.js';
import { StorageMonitor } from '../../src/retention/storage-monitor.js';
import { StoredFootageRemover } from '../../src/retention/stored-footage-remover.js';
import { UploadBacklogMonitor } from '../../src/retention/upload-backlog.js';
import { StoredFootage } from '../../src/storage/footage-reader.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import type { Context } from '../../src/services/context.js';
import { PassThrough } from 'node:stream';
import { cephUnavailable, startCephS3, type CephS3 } from '../support/ceph-s3.js';
import { DIALECTS } from '../support/databases.js';
import { recordFootage, type WrittenFile } from '../evidence/footage.js';
import { evidenceWorld, quiet, type EvidenceWorld } from '../evidence/world.js';

const unavailable = cephUnavailable();
const catalogue = loadProfiles();
/** The national profile's minimum period (CN799-17). */
const MINIMUM_DAYS = 30;

let ceph: CephS3;
let admin: S3Client;

beforeAll(async () => {
  if (unavailable) return;
  ceph = await startCephS3();
  admin = new S3Client({
    endpoint: ceph.endpoint, region: ceph.region, forcePathStyle: true,
    credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}, 180_000);
afterAll(async () => {
  admin?.destroy();
  await ceph?.stop();
});

/** The real store, with every ranged read it serves counted (what was asked, what came back). */
function counting(store: ObjectStore): ObjectStore & { reads: { key: string; length: number }[] } {
  const reads: { key: string; length: number }[] = [];
  return Object.assign(Object.create(store) as ObjectStore, {
    reads,
    read: async (key: string, offset: number, length: number, v?: string | null) => {
      const b = await store.read(key, offset, length, v);
      reads.push({ key, length: b.length });
      return b;
    },
  });
}

const capture = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { s, text: () => text };
};

async function recordingsBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) n += (await stat(join(e.parentPath, e.name))).size;
  }
  return n;
}

for (const dialect of DIALECTS) {
  describe.skipIf(unavailable !== null)(`footage in S3 with Object Lock on ${dialect}${unavailable ? ` — skipped: ${unavailable}` : ''}`, () => {
    let w: EvidenceWorld;
    let store: S3ObjectStore;
    let cam: number;
    let files: WrittenFile[];
    const bucket = `vigil-${dialect}-${Date.now().toString(36)}`;
    const policies = (profile = 'national') => cameraPolicies({ repos: w.repos, profile: (id) => catalogue.get(id), effectiveProfileId: async () => profile });
    const uploader = (objects: ObjectStore = store, concurrency = 4) =>
      new FootageUploader({ repos: w.repos, objects, concurrency, absolute: (p) => w.store.absolute(p), clock: systemClock, logger: quiet, policies: policies(), prepare: () => objects.ensureBucket() });
    const versions = async (key: string) => (await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }))).Versions ?? [];
    /** Footage whose legal retention ends `inMs` from now: recorded MINIMUM_DAYS ago. */
    const recordEndingIn = (inMs: number, n: number) => recordFootage(w.repos, w.dataDir, cam, { startMs: Date.now() - MINIMUM_DAYS * DAY_MS + inMs - n * 5000, files: n, secondsPerFile: 5 });

    beforeAll(async () => {
      w = await evidenceWorld(dialect, 1);
      cam = w.cameras[0]!;
      store = new S3ObjectStore({ endpoint: ceph.endpoint, region: ceph.region, bucket, accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey, forcePathStyle: true, keyPrefix: '', timeoutMs: 5000 });
      // Retention a day off: nothing here expires during the test.
      files = await recordEndingIn(DAY_MS, 3);
      const log = new MerkleLog({ repo: w.repos.integrityLog, index: w.repos.recordingIndex, keys: w.keys, clock: w.clock, logger: quiet, absolute: (p) => w.store.absolute(p) });
      await log.sealAll();
      await log.signHeads();
    }, 120_000);
    afterAll(async () => {
      store?.close();
      await w?.close();
    });

    it('uploads each closed file with COMPLIANCE retention to the end of its legal period and its SHA-256, then drops the local copy', async () => {
      const sums = files.map((f) => createHash('sha256').update(readFileSync(w.store.absolute(f.path))).digest('hex'));
      const r = await uploader().runOnce();
      expect(r).toMatchObject({ uploaded: 3, error: null, localRemoved: 3 });
      for (const [i, f] of files.entries()) {
        expect(existsSync(w.store.absolute(f.path))).toBe(false);
        const h = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: f.path }));
        expect(h.ObjectLockMode).toBe('COMPLIANCE');
        // S3 keeps the date to the second.
        expect(Math.abs(h.ObjectLockRetainUntilDate!.getTime() - addPeriod(f.endMs, MINIMUM_DAYS))).toBeLessThan(1000);
        expect(h.Metadata?.sha256).toBe(sums[i]);
        const row = await w.repos.footageObjects.byFile(f.id);
        expect(row).toMatchObject({ sha256: sums[i], legalHold: false, localRemoved: true, versionId: h.VersionId });
      }
      expect(await w.repos.footageObjects.pendingUploads(10)).toEqual([]);
    });

    it('the store itself refuses deleting or shortening an object within retention, to its own administrator', async () => {
      const f = files[0]!;
      const [v] = await versions(f.path);
      expect(v?.VersionId).toBeTruthy();
      await expect(admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: f.path, VersionId: v!.VersionId, BypassGovernanceRetention: true }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await expect(admin.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: f.path, VersionId: v!.VersionId, BypassGovernanceRetention: true, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 1000) } }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      // Through Vigil's own path too: the store answers with a refusal, nothing goes.
      await expect(store.delete(f.path, v!.VersionId!)).rejects.toMatchObject({ code: 'OBJECT_STORE_REFUSED' });
      // Overwriting writes a new version beside it; the original stays, byte for byte, locked.
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: f.path, Body: Buffer.from('forged'), ContentMD5: createHash('md5').update('forged').digest('base64') }));
      const all = await versions(f.path);
      expect(all.map((x) => x.VersionId)).toContain(v!.VersionId);
      const original = await store.head(f.path, v!.VersionId);
      expect(original?.sha256).toBe((await w.repos.footageObjects.byFile(f.id))!.sha256);
      // The forgery is not what Vigil reads: it reads the version it stored, and checks the hashes.
      const forged = all.find((x) => x.VersionId !== v!.VersionId)!;
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: f.path, VersionId: forged.VersionId }));
    });

    it('vigil verify and the Merkle log read the footage from the store and find it whole', async () => {
      const objects = counting(store);
      const footage = new StoredFootage((p) => w.store.absolute(p), objects);
      const r = await verifyFootage({ repo: w.repos.integrityLog, index: w.repos.recordingIndex, publicKey: w.keys.publicKey, absolute: (p) => w.store.absolute(p), footage }, { cameraId: cam });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ ok: true, files: 3, fragments: 15 });
      // Read by ranges from the store (no local copy is left), each no larger than a fragment.
      expect(objects.reads.length).toBeGreaterThanOrEqual(18);
      const largest = Math.max(...files.flatMap((f) => f.fragments.map((x) => x.size)));
      expect(Math.max(...objects.reads.map((x) => x.length))).toBeLessThanOrEqual(largest);
      expect(r.bytes).toBe(objects.reads.reduce((s, x) => s + x.length, 0));
    });

    it('vigil verify, configured for the store, passes on footage read from it (and without it finds the files missing)', async () => {
      const s3 = { endpoint: ceph.endpoint, region: ceph.region, bucket, accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey, forcePathStyle: true, keyPrefix: '', timeoutSeconds: 10 };
      const ctxWith = (backend: 'local' | 's3') => ({ config: { dataDir: w.dataDir, storage: { backend, s3 } }, repos: w.repos, audit: w.audit }) as unknown as Context;
      const out = capture();
      expect(await verifyCommand(ctxWith('s3'), ['--camera', String(cam)], out.s)).toBe(0);
      expect(out.text()).toContain('OK: footage, index and logs agree');
      const local = capture();
      expect(await verifyCommand(ctxWith('local'), ['--camera', String(cam)], local.s)).toBe(1);
      expect(local.text()).toContain('file_missing');
    });

    it('playback serves a fragment by one ranged read of the store, checked against its hash', async () => {
      const objects = counting(store);
      const register = new StreamRegister({
        verifyStreamToken: async () => ({ holder: 'test', userId: 1, from: null, to: null }),
        onRevoked: () => () => undefined,
      });
      const playback = new PlaybackService(w.repos.recordingIndex, new StoredFootage((p) => w.store.absolute(p), objects), register);
      const f = files[1]!;
      const { sessionId, plan } = await playback.open('t', cam, f.startMs, f.endMs, null);
      expect(plan).toBeTruthy();
      const frag = f.fragments[2]!;
      const bytes = await playback.fragment(sessionId, f.id, frag.seq);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(frag.sha256);
      expect(objects.reads).toEqual([{ key: f.path, length: frag.size }]);
      register.close(sessionId, 'done');
    });

    it('an upload cut by a crash resumes from the index: the object is adopted, never stored twice', async () => {
      const more = await recordEndingIn(DAY_MS - 1_800_000, 2);
      // The node dies right after the store took the first object, before its row was written.
      let puts = 0;
      const dying = Object.assign(Object.create(store) as ObjectStore, {
        put: async (...a: Parameters<ObjectStore['put']>) => {
          const r = await store.put(...a);
          if (++puts === 1) throw new Error('killed');
          return r;
        },
      });
      expect((await uploader(dying, 1).runOnce()).error).toBe('killed');
      expect(await w.repos.footageObjects.byFile(more[0]!.id)).toBeUndefined();
      expect(existsSync(w.store.absolute(more[0]!.path))).toBe(true);
      // The restarted node finds both files still waiting in the index.
      expect((await w.repos.footageObjects.pendingUploads(10)).map((p) => p.fileId)).toEqual(more.map((m) => m.id));
      const r = await uploader().runOnce();
      expect(r).toMatchObject({ uploaded: 2, adopted: 1, error: null, localRemoved: 2 });
      for (const m of more) expect(await versions(m.path)).toHaveLength(1);
      files.push(...more);
    });

    it('an object the store took before its lock (a crash between a multipart upload and its lock) is adopted and locked', async () => {
      const [m] = await recordEndingIn(DAY_MS - 900_000, 1);
      const body = readFileSync(w.store.absolute(m!.path));
      const sha256 = createHash('sha256').update(body).digest('hex');
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: m!.path, Body: body, Metadata: { sha256 } }));
      const bare = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: m!.path }));
      expect(bare.ObjectLockRetainUntilDate).toBeUndefined();
      const r = await uploader().runOnce();
      expect(r).toMatchObject({ uploaded: 1, adopted: 1, error: null });
      const h = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: m!.path }));
      expect(h.ObjectLockMode).toBe('COMPLIANCE');
      expect(Math.abs(h.ObjectLockRetainUntilDate!.getTime() - addPeriod(m!.endMs, MINIMUM_DAYS))).toBeLessThan(1000);
      const row = await w.repos.footageObjects.byFile(m!.id);
      expect(Math.abs(row!.retainUntil! - h.ObjectLockRetainUntilDate!.getTime())).toBeLessThan(1000);
      expect(await versions(m!.path)).toHaveLength(1);
      files.push(m!);
    });

    it('the store away for a while: the local buffer grows, the disk alarm is raised, uploads resume and nothing is lost', async () => {
      const recordings = join(w.dataDir, 'recordings');
      const capacity = (await recordingsBytes(recordings)) + 600_000;
      const alarms: string[] = [];
      const monitor = new StorageMonitor({
        dir: recordings, repo: w.repos.storageAlarms, clock: systemClock, logger: quiet,
        // The recordings folder against a small volume: the buffer's own growth crosses the thresholds.
        usage: async () => {
          const used = await recordingsBytes(recordings);
          return { totalBytes: capacity, freeBytes: Math.max(0, capacity - used) };
        },
        thresholds: { warning: 0.5, critical: 0.8, full: 0.99 },
        onAlarm: (a) => void alarms.push(a.level),
      });
      await monitor.check();
      const backlog = (o: { maxWaitMs: number }) => new UploadBacklogMonitor({ repo: w.repos.footageObjects, clock: systemClock, logger: quiet, where: store.where, ...o });
      await ceph.pauseGateway();
      let more: WrittenFile[];
      try {
        more = await recordEndingIn(DAY_MS - 3_600_000, 4);
        const r = await uploader().runOnce();
        expect(r.uploaded).toBe(0);
        expect(r.error).not.toBeNull();
        for (const m of more) expect(existsSync(w.store.absolute(m.path))).toBe(true);
        expect((await w.repos.footageObjects.backlog()).files).toBe(4);
        await monitor.check();
        expect(alarms.length).toBeGreaterThan(0);
        expect(['warning', 'critical', 'full']).toContain(monitor.storageState().level);
        // And the backlog itself is an alarm once its oldest file has waited past the limit.
        const late = await backlog({ maxWaitMs: 0 }).check();
        expect(late).toMatchObject({ level: 'behind', files: 4 });
      } finally {
        await ceph.resumeGateway();
      }
      const r = await uploader().runOnce();
      expect(r).toMatchObject({ uploaded: 4, error: null });
      expect(await w.repos.footageObjects.backlog()).toEqual({ files: 0, bytes: 0 });
      await monitor.check();
      expect(monitor.storageState().level).toBe('ok');
      expect(await backlog({ maxWaitMs: 0 }).check()).toMatchObject({ level: 'ok', files: 0 });
      files.push(...more);
      // Every file, sealed or not, reads back whole from the store.
      const report = await verifyFootage({ repo: w.repos.integrityLog, index: w.repos.recordingIndex, publicKey: w.keys.publicKey, absolute: (p) => w.store.absolute(p), footage: new StoredFootage((p) => w.store.absolute(p), store) }, { cameraId: cam });
      expect(report.problems).toEqual([]);
      expect(report.files).toBe(files.length);
    }, 180_000);

    it('a legal hold mirrored from Vigil blocks deletion past retention; released, the cleaner deletes the object', async () => {
      // Footage whose legal period ends in 8 s, under a hold placed in Vigil.
      const [f] = await recordEndingIn(8000, 1);
      await uploader().runOnce();
      const row = (await w.repos.footageObjects.byFile(f!.id))!;
      expect(row.retainUntil! - Date.now()).toBeLessThan(9000);
      const hold = await w.db.kysely.transaction().execute((trx) =>
        w.repos.legalHolds.insertHold(trx, {
          camera_id: cam, range_from: f!.startMs, range_to: f!.endMs, case_ref: '皖公刑(2027)1号', reason: 'test', state: 'active', placed_by: 1, placed_at: Date.now(),
          release_requested_by: null, release_requested_at: null, release_reason: null, released_by: null, released_at: null,
        }),
      );
      const sync = new ObjectLockSync({ repos: w.repos, objects: store, logger: quiet });
      expect((await sync.sync()).placed).toBe(1);
      expect((await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: f!.path }))).ObjectLockLegalHoldStatus).toBe('ON');
      // Wait for the retention to pass (the store's clock decides), then try as the administrator.
      while (Date.now() < row.retainUntil! + 1500) await new Promise((r) => setTimeout(r, 500));
      await expect(admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: f!.path, VersionId: row.versionId!, BypassGovernanceRetention: true }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      const cleaner = new RetentionCleaner({
        repos: w.repos, index: w.repos.recordingIndex, audit: w.audit, clock: systemClock, logger: quiet, policies: policies(),
        files: new StoredFootageRemover(w.store, w.repos.footageObjects, store, systemClock),
        objectLocks: (ids) => w.repos.footageObjects.byFiles(ids),
      });
      expect((await cleaner.runOnce()).removedFiles).toBe(0);
      expect(await versions(f!.path)).toHaveLength(1);
      // Released in Vigil: the mirror takes the hold off, and the cleaner deletes the object.
      await w.db.kysely.transaction().execute((trx) => w.repos.legalHolds.updateHold(trx, Number(hold.id), 'active', { state: 'released', released_by: 2, released_at: Date.now() }));
      expect((await sync.sync()).released).toBe(1);
      const report = await cleaner.runOnce();
      expect(report.removedFiles).toBe(1);
      expect(await versions(f!.path)).toHaveLength(0);
      expect(await w.repos.footageObjects.byFile(f!.id)).toBeUndefined();
      // Everything else is still within retention and stays.
      for (const other of files) expect(await versions(other.path)).toHaveLength(1);
    }, 120_000);

    it('kept-aside footage is stored with its own lock, held by Vigil\'s holds, and deleted by retention once its period has run out', async () => {
      // Footage whose legal period ends in 8 s, its last fragments kept aside by node n1 (a lease lost).
      const [f] = await recordEndingIn(8000, 1);
      const file = (await w.repos.recordings.file(f!.id))!;
      const kept = await keepFencedFragments(file, (await w.repos.recordings.fragments(f!.id)).slice(-2), w.store.absolute(file.path), {
        repo: w.repos.recordings, fenced: w.repos.fencedFootage, nodeId: 'n1', dataDir: w.dataDir, now: () => Date.now(), logger: quiet,
      });
      const fenced = (nodeId: string) => new FencedFootageUploader({ repo: w.repos.fencedFootage, recordings: w.repos.recordings, nodeId, objects: store, absolute: (p) => w.store.absolute(p), clock: systemClock, logger: quiet });
      // Another node's uploader does not take it: the file is on n1's disk.
      const elsewhere = await new FootageUploader({ repos: w.repos, objects: store, absolute: (p) => w.store.absolute(p), clock: systemClock, logger: quiet, policies: policies(), fenced: fenced('n2') }).runOnce();
      expect(elsewhere).toMatchObject({ fencedUploaded: 0, error: null });
      const report = await new FootageUploader({ repos: w.repos, objects: store, absolute: (p) => w.store.absolute(p), clock: systemClock, logger: quiet, policies: policies(), fenced: fenced('n1') }).runOnce();
      expect(report).toMatchObject({ fencedUploaded: 1, error: null });
      const row = (await w.repos.fencedFootage.list(cam)).find((r) => r.id === kept.id)!;
      expect(row.stored).toMatchObject({ objectKey: kept.path, legalHold: false });
      expect(row.localRemoved).toBe(true);
      expect(existsSync(w.store.absolute(kept.path))).toBe(false);
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: kept.path }));
      expect(head.ObjectLockMode).toBe('COMPLIANCE');
      expect(Math.abs(head.ObjectLockRetainUntilDate!.getTime() - addPeriod(kept.endMs, MINIMUM_DAYS))).toBeLessThan(1000);
      expect(head.Metadata?.sha256).toBe(kept.sha256);
      expect(head.Metadata?.kept).toBe('fenced');
      await expect(admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: kept.path, VersionId: row.stored!.versionId!, BypassGovernanceRetention: true }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });

      // A hold placed in Vigil reaches the kept object too.
      const hold = await w.db.kysely.transaction().execute((trx) =>
        w.repos.legalHolds.insertHold(trx, {
          camera_id: cam, range_from: kept.startMs, range_to: kept.endMs, case_ref: '皖公刑(2027)7号', reason: 'test', state: 'active', placed_by: 1, placed_at: Date.now(),
          release_requested_by: null, release_requested_at: null, release_reason: null, released_by: null, released_at: null,
        }),
      );
      const sync = new ObjectLockSync({ repos: w.repos, objects: store, logger: quiet, fenced: w.repos.fencedFootage });
      await sync.sync();
      expect((await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: kept.path }))).ObjectLockLegalHoldStatus).toBe('ON');
      while (Date.now() < row.stored!.retainUntil! + 1500) await new Promise((r) => setTimeout(r, 500));
      const cleaner = new RetentionCleaner({
        repos: w.repos, index: w.repos.recordingIndex, audit: w.audit, clock: systemClock, logger: quiet, policies: policies(),
        files: new StoredFootageRemover(w.store, w.repos.footageObjects, store, systemClock),
        objectLocks: (ids) => w.repos.footageObjects.byFiles(ids),
        fenced: new FencedRetention({ repo: w.repos.fencedFootage, repos: w.repos, audit: w.audit, files: w.store, objects: store, clock: systemClock, logger: quiet }),
      });
      expect((await cleaner.runOnce()).fencedRemoved).toBe(0);
      expect(await versions(kept.path)).toHaveLength(1);

      // Released: the mirror takes the hold off, and retention deletes the kept object, registered.
      await w.db.kysely.transaction().execute((trx) => w.repos.legalHolds.updateHold(trx, Number(hold.id), 'active', { state: 'released', released_by: 2, released_at: Date.now() }));
      await sync.sync();
      expect((await cleaner.runOnce()).fencedRemoved).toBe(1);
      expect(await versions(kept.path)).toHaveLength(0);
      expect((await w.repos.fencedFootage.list(cam)).find((r) => r.id === kept.id)).toMatchObject({ goneAt: expect.any(Number) });
      const entries = [];
      for await (const e of w.audit.entries({ action: 'retention_delete' })) entries.push(e);
      expect(entries.at(-1)!.detail.keptAside).toMatchObject({ path: kept.path, sha256: kept.sha256, object: { key: kept.path, versionId: row.stored!.versionId } });
    }, 120_000);

    it('a key-target mark placed after upload moves the objects\' retention to the longer period (Harbin: 90 days)', async () => {
      await w.repos.retentionMarks.insertMark({ camera_id: cam, kind: 'key_target', range_from: null, range_to: null, note: 'test', created_by: null, created_at: Date.now() });
      const sync = new ObjectLockSync({ repos: w.repos, objects: store, logger: quiet, policies: policies('harbin') });
      expect((await sync.sync()).extended).toBe(files.length);
      for (const f of files) {
        const h = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: f.path }));
        expect(h.ObjectLockMode).toBe('COMPLIANCE');
        expect(Math.abs(h.ObjectLockRetainUntilDate!.getTime() - addPeriod(f.endMs, 90))).toBeLessThan(1000);
      }
      // A second pass has nothing left to do.
      expect((await sync.sync()).extended).toBe(0);
    });

    it('a file written under a recorder lease is stored under a key carrying its epoch, and read back through the index of objects', async () => {
      const [f] = await recordEndingIn(DAY_MS, 1);
      // As a recorder node writes it: under lease epoch 3 (the fencing token of issue 22).
      await w.db.kysely.updateTable('recording_files').set({ epoch: 3 }).where('id', '=', f!.id).execute();
      const sum = createHash('sha256').update(readFileSync(w.store.absolute(f!.path))).digest('hex');
      expect(await uploader().runOnce()).toMatchObject({ uploaded: 1, error: null, localRemoved: 1 });
      const key = f!.path.replace(/\.mp4$/, '.e3.mp4');
      expect((await w.repos.footageObjects.byFile(f!.id))!.objectKey).toBe(key);
      expect((await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ObjectLockMode).toBe('COMPLIANCE');
      expect(await versions(f!.path)).toHaveLength(0);
      const footage = new StoredFootage((p) => w.store.absolute(p), store, null, async (p) => (await w.repos.footageObjects.byPath(p))?.objectKey ?? p);
      const h = await footage.open(f!.path);
      expect(h.from).toBe('object');
      const bytes = Buffer.alloc(h.size);
      await h.read(bytes, 0, h.size, 0);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sum);
    });
  });
}
