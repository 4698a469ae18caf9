// Large recording files go to the real store (Ceph's radosgw, started here) in parts sent at
// once, locked from the moment they exist: COMPLIANCE retention, legal hold and SHA-256 given when
// the upload is created, the parts signed UNSIGNED-PAYLOAD with Content-MD5. An upload cut by a
// crash resumes with the parts the store already holds; an upload of other bytes under the same
// key is aborted, and leftovers older than a given time are swept.
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreRefused } from '../../src/storage/object-store.js';
import { MIN_PART_BYTES, multipartPut } from '../../src/storage/s3-multipart.js';
import { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { cephUnavailable, startCephS3, type CephS3 } from '../support/ceph-s3.js';

const unavailable = cephUnavailable();
const BUCKET = 'vigil-multipart';
const DAY = 86_400_000;

describe.skipIf(unavailable !== null)(`multipart upload to S3 Object Lock${unavailable ? ` — skipped: ${unavailable}` : ''}`, () => {
  let ceph: CephS3;
  let admin: S3Client;
  let store: S3ObjectStore;

  beforeAll(async () => {
    ceph = await startCephS3();
    admin = new S3Client({
      endpoint: ceph.endpoint, region: ceph.region, forcePathStyle: true,
      credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    });
    store = new S3ObjectStore({
      endpoint: ceph.endpoint, region: ceph.region, bucket: BUCKET, accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey,
      forcePathStyle: true, keyPrefix: '', timeoutMs: 60_000, partBytes: MIN_PART_BYTES, partConcurrency: 3,
    });
    await store.ensureBucket();
  }, 240_000);
  afterAll(async () => {
    store?.close();
    admin?.destroy();
    await ceph?.stop();
  });

  const openUploads = async (key: string) =>
    ((await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }))).Uploads ?? []).filter((u) => u.Key === key);

  it('a file larger than a part is stored whole and locked, with its SHA-256, and the store refuses deleting it', async () => {
    const body = randomBytes(2 * MIN_PART_BYTES + 123_457);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const retainUntil = Date.now() + 30 * DAY;
    const key = 'recordings/1/2026-12-05/1-1764892800000.e2.mp4';
    const { versionId } = await store.put(key, body, { sha256, retainUntil, legalHold: false, metadata: { camera: '1' } });
    const h = await store.head(key, versionId);
    expect(h).toMatchObject({ size: body.length, sha256, legalHold: false });
    expect(Math.abs(h!.retainUntil! - retainUntil)).toBeLessThan(1000);
    // Across the parts' seams, byte for byte.
    expect((await store.read(key, MIN_PART_BYTES - 10, 20, versionId)).equals(body.subarray(MIN_PART_BYTES - 10, MIN_PART_BYTES + 10))).toBe(true);
    expect(createHash('sha256').update(await store.read(key, 0, body.length, versionId)).digest('hex')).toBe(sha256);
    await expect(admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId! }))).rejects.toThrow();
    await expect(store.delete(key, versionId)).rejects.toBeInstanceOf(ObjectStoreRefused);
    expect(await openUploads(key)).toEqual([]);
  }, 120_000);

  it('a legal hold given at upload is on the object from the start', async () => {
    const body = randomBytes(MIN_PART_BYTES + 1);
    const key = 'recordings/1/2026-12-05/1-1764892860000.e2.mp4';
    const { versionId } = await store.put(key, body, { sha256: createHash('sha256').update(body).digest('hex'), retainUntil: null, legalHold: true });
    expect((await store.head(key, versionId))?.legalHold).toBe(true);
    await expect(store.delete(key, versionId)).rejects.toBeInstanceOf(ObjectStoreRefused);
    await store.setLegalHold(key, versionId, false);
    await store.delete(key, versionId);
    expect(await store.head(key, versionId)).toBeUndefined();
  }, 120_000);

  it('an upload cut by a crash resumes with the parts the store holds; one of other bytes is aborted', async () => {
    const body = randomBytes(3 * MIN_PART_BYTES);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = 'recordings/2/2026-12-05/2-1764892800000.e5.mp4';
    const retainUntil = Date.now() + 30 * DAY;
    const lock = { ObjectLockMode: 'COMPLIANCE' as const, ObjectLockRetainUntilDate: new Date(retainUntil), Metadata: { sha256 } };
    // Before the crash: an upload of other bytes (an older attempt), then ours with its first part sent.
    const other = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...lock }));
    await admin.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: other.UploadId, PartNumber: 1, Body: randomBytes(MIN_PART_BYTES) }));
    await new Promise((r) => setTimeout(r, 1100)); // the store's Initiated has whole seconds: ours is the later one
    const ours = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...lock }));
    await admin.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: ours.UploadId, PartNumber: 1, Body: body.subarray(0, MIN_PART_BYTES) }));
    expect(await openUploads(key)).toHaveLength(2);

    const s3 = new S3Client({
      endpoint: ceph.endpoint, region: ceph.region, forcePathStyle: true,
      credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      const r = await multipartPut({ s3, bucket: BUCKET, key, partBytes: MIN_PART_BYTES, concurrency: 2, call: (_w, f) => f() }, body, { sha256, retainUntil, legalHold: false });
      expect(r.resumedParts).toBe(1);
      const h = await store.head(key, r.versionId);
      expect(h).toMatchObject({ size: body.length, sha256 });
      expect(createHash('sha256').update(await store.read(key, 0, body.length, r.versionId)).digest('hex')).toBe(sha256);
    } finally {
      s3.destroy();
    }
    expect(await openUploads(key)).toEqual([]);
  }, 120_000);

  it('through the store, a resumed upload still carries the lock asked for now (retention moved later, hold placed since)', async () => {
    const body = randomBytes(2 * MIN_PART_BYTES);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = 'recordings/3/2026-12-05/3-1764892800000.e1.mp4';
    const begun = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(Date.now() + DAY), Metadata: { sha256 } }));
    await admin.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: begun.UploadId, PartNumber: 2, Body: body.subarray(MIN_PART_BYTES) }));
    const retainUntil = Date.now() + 90 * DAY;
    const { versionId } = await store.put(key, body, { sha256, retainUntil, legalHold: true });
    const h = await store.head(key, versionId);
    expect(h).toMatchObject({ size: body.length, sha256, legalHold: true });
    expect(h!.retainUntil!).toBeGreaterThanOrEqual(retainUntil - 1000);
    expect(await openUploads(key)).toEqual([]);
  }, 120_000);

  it('unfinished uploads older than the given time are aborted; newer ones are left', async () => {
    const key = 'recordings/4/2026-12-05/4-1764892800000.e1.mp4';
    const u = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    expect(await store.abortStaleUploads(Date.now() - DAY)).toBe(0);
    expect(await openUploads(key)).toHaveLength(1);
    expect(await store.abortStaleUploads(Date.now() + 60_000)).toBe(1);
    expect(await openUploads(key)).toEqual([]);
    // The upload is gone from the store: its id no longer takes parts.
    await expect(admin.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: u.UploadId, PartNumber: 1, Body: Buffer.from('x') }))).rejects.toThrow();
    await admin.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: u.UploadId })).catch(() => undefined);
  }, 120_000);

  it('a small object goes in one PUT signed with its SHA-256: other bytes under that hash are refused by the store', async () => {
    const body = randomBytes(1000);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = 'recordings/5/2026-12-05/5-1764892800000.mp4';
    const { versionId } = await store.put(key, body, { sha256, retainUntil: null, legalHold: false });
    expect((await store.head(key, versionId))?.sha256).toBe(sha256);
    // A body that does not match the hash it is signed with: the store refuses it.
    const wrong = createHash('sha256').update(randomBytes(1000)).digest('hex');
    await expect(store.put('recordings/5/2026-12-05/5-1764892860000.mp4', body, { sha256: wrong, retainUntil: null, legalHold: false })).rejects.toThrow();
    expect(await store.head('recordings/5/2026-12-05/5-1764892860000.mp4')).toBeUndefined();
  }, 120_000);
});
