// The S3 backend (AWS SDK for JavaScript v3), tested against Ceph's radosgw. Objects are written
// with their lock (mode, retain-until, legal hold) and SHA-256 in the same request that creates
// them, so no object ever exists unlocked: small ones in one PUT signed with their SHA-256 (the
// store checks it; the SDK does not hash the body again), large ones in parts sent several at once
// (s3-multipart.ts); Content-MD5 lets the store refuse a body damaged on the way.
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ObjectStoreRefused, type ObjectInfo, type ObjectStore, type PutOptions } from './object-store.js';
import { abortStaleUploads, multipartPut, withPayloadHash } from './s3-multipart.js';
import { s3Where } from './s3-on-first-use.js';

export interface S3Settings {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (http://host/bucket/key): Ceph and MinIO without wildcard DNS. */
  forcePathStyle: boolean;
  /** Prepended to every object key (a deployment sharing a bucket). */
  keyPrefix: string;
  /** Give up on one request after this long (the store unreachable must not hang an upload). */
  timeoutMs?: number;
  /** Objects larger than this go in parts of this size (default 8 MiB; at least 5 MiB, S3's floor). */
  partBytes?: number;
  /** Parts of one object sent at once (default 4). */
  partConcurrency?: number;
}

export class S3ObjectStore implements ObjectStore {
  private readonly s3: S3Client;
  readonly where: string;

  constructor(private readonly s: S3Settings) {
    this.s3 = new S3Client({
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      ...(s.accessKeyId && s.secretAccessKey ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } } : {}),
      // Checksums only where S3 requires one: older gateways (Ceph Pacific) do not take the
      // SDK's default trailing CRC32 on every upload; the PUT carries Content-MD5 instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: { requestTimeout: s.timeoutMs ?? 30_000, connectionTimeout: Math.min(s.timeoutMs ?? 30_000, 5000) },
    });
    this.where = s3Where(s);
  }

  private key(k: string): string {
    return this.s.keyPrefix + k;
  }

  async ensureBucket(): Promise<void> {
    const Bucket = this.s.bucket;
    const exists = await this.s3.send(new HeadBucketCommand({ Bucket })).then(() => true, (e: unknown) => {
      if (status(e) === 404) return false;
      throw e;
    });
    if (!exists) await this.s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    const lock = await this.s3.send(new GetObjectLockConfigurationCommand({ Bucket })).catch(() => undefined);
    if (lock?.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled') {
      throw new Error(`bucket ${this.where} has no Object Lock: footage there could be deleted within its retention. Use a bucket created with Object Lock`);
    }
  }

  async put(key: string, body: Buffer, o: PutOptions): Promise<{ versionId: string | null }> {
    const partBytes = this.s.partBytes ?? 8 * 1024 * 1024;
    if (body.length > partBytes) return this.putInParts(key, body, o, partBytes);
    const r = await this.call(`put ${key}`, () =>
      this.s3.send(
        withPayloadHash(new PutObjectCommand({
          Bucket: this.s.bucket,
          Key: this.key(key),
          Body: body,
          ContentLength: body.length,
          ContentType: 'video/mp4',
          ContentMD5: createHash('md5').update(body).digest('base64'),
          Metadata: { ...o.metadata, sha256: o.sha256 },
          ...(o.retainUntil !== null ? { ObjectLockMode: 'COMPLIANCE' as const, ObjectLockRetainUntilDate: new Date(o.retainUntil) } : {}),
          ObjectLockLegalHoldStatus: o.legalHold ? 'ON' : 'OFF',
        }), o.sha256),
      ),
    );
    return { versionId: r.VersionId ?? null };
  }

  private async putInParts(key: string, body: Buffer, o: PutOptions, partBytes: number): Promise<{ versionId: string | null }> {
    const r = await multipartPut(
      { s3: this.s3, bucket: this.s.bucket, key: this.key(key), partBytes, concurrency: this.s.partConcurrency ?? 4, call: (w, f) => this.call(w, f) },
      body,
      o,
    );
    // The lock given when the upload was created is checked on the object made: a resumed upload
    // carries the lock of its time, and some stores (Ceph Pacific) drop a multipart upload's lock
    // altogether. Whatever is missing is set at once, so the object is locked before it is indexed.
    const h = await this.head(key, r.versionId);
    if (o.retainUntil !== null && (h?.retainUntil ?? 0) < o.retainUntil) await this.extendRetention(key, r.versionId, o.retainUntil);
    if ((h?.legalHold ?? false) !== o.legalHold) await this.setLegalHold(key, r.versionId, o.legalHold);
    return { versionId: r.versionId };
  }

  /** Aborts unfinished multipart uploads begun before `before` (a crash's leftovers nobody resumes). */
  async abortStaleUploads(before: number): Promise<number> {
    return abortStaleUploads({ s3: this.s3, bucket: this.s.bucket, call: (w, f) => this.call(w, f) }, this.s.keyPrefix, before);
  }

  async head(key: string, versionId?: string | null): Promise<ObjectInfo | undefined> {
    try {
      const h = await this.s3.send(new HeadObjectCommand({ Bucket: this.s.bucket, Key: this.key(key), ...(versionId ? { VersionId: versionId } : {}) }));
      return {
        size: Number(h.ContentLength ?? 0),
        versionId: h.VersionId ?? null,
        sha256: h.Metadata?.sha256 ?? null,
        retainUntil: h.ObjectLockRetainUntilDate ? h.ObjectLockRetainUntilDate.getTime() : null,
        legalHold: h.ObjectLockLegalHoldStatus === 'ON',
      };
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw e;
    }
  }

  async read(key: string, offset: number, length: number, versionId?: string | null): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    const r = await this.call(`read ${key}`, () =>
      this.s3.send(new GetObjectCommand({ Bucket: this.s.bucket, Key: this.key(key), Range: `bytes=${offset}-${offset + length - 1}`, ...(versionId ? { VersionId: versionId } : {}) })),
    );
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  async delete(key: string, versionId: string | null): Promise<void> {
    await this.call(`delete ${key}`, () => this.s3.send(new DeleteObjectCommand({ Bucket: this.s.bucket, Key: this.key(key), ...(versionId ? { VersionId: versionId } : {}) })));
  }

  async setLegalHold(key: string, versionId: string | null, on: boolean): Promise<void> {
    await this.call(`legal hold ${key}`, () =>
      this.s3.send(new PutObjectLegalHoldCommand({ Bucket: this.s.bucket, Key: this.key(key), ...(versionId ? { VersionId: versionId } : {}), LegalHold: { Status: on ? 'ON' : 'OFF' } })),
    );
  }

  async extendRetention(key: string, versionId: string | null, retainUntil: number): Promise<void> {
    await this.call(`retention ${key}`, () =>
      this.s3.send(
        new PutObjectRetentionCommand({
          Bucket: this.s.bucket, Key: this.key(key), ...(versionId ? { VersionId: versionId } : {}),
          Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(retainUntil) },
        }),
      ),
    );
  }

  close(): void {
    this.s3.destroy();
  }

  /** Refusals (4xx but 404/408/429) become ObjectStoreRefused; faults pass as they are (retried later). */
  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      const st = status(e);
      if (st !== undefined && st >= 400 && st < 500 && st !== 404 && st !== 408 && st !== 429) {
        throw new ObjectStoreRefused(`${this.where} refused ${what}: ${(e as Error).name} (${st})`, st);
      }
      throw e;
    }
  }
}

function status(e: unknown): number | undefined {
  if (e instanceof S3ServiceException) return e.$metadata.httpStatusCode;
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
