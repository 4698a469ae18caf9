// Large recording files go to S3 in parts, several at once (issue 22: upload at least three times
// the recording rate, so a store that was away catches up while cameras keep recording). The
// lock (COMPLIANCE retention, legal hold) and the SHA-256 metadata are given when the upload is
// created, so on a store that honours them the object is locked from the moment it is completed.
// Ceph Pacific drops a multipart upload's lock: S3ObjectStore checks each completed object and
// sets what is missing before the object is indexed (and the uploader does the same for an
// object it adopts after a crash).
//
// Each part carries its Content-MD5 (the store refuses a part damaged on the way) and is signed
// with UNSIGNED-PAYLOAD, so neither the SDK nor the store hashes every byte once more with
// SHA-256: the whole file's SHA-256 is computed once by the uploader, kept as metadata and checked
// by `vigil verify`. An upload cut by a crash is resumed: the parts the store already holds with
// our bytes (ETag = MD5 of the part) are kept, the rest sent; other unfinished uploads of the same
// key are aborted, and `abortStale` removes those whose file nobody will send again.
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PutOptions } from './object-store.js';

/** S3's smallest part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface MultipartTarget {
  s3: S3Client;
  bucket: string;
  /** The full key (prefix included). */
  key: string;
  partBytes: number;
  /** Parts sent at once. */
  concurrency: number;
  /** Wraps each request: refusals become ObjectStoreRefused. */
  call<T>(what: string, f: () => Promise<T>): Promise<T>;
}

export interface MultipartResult {
  versionId: string | null;
  /** Parts the store already held from an upload cut short (0: a fresh upload). */
  resumedParts: number;
}

interface Part {
  number: number;
  body: Buffer;
  md5Hex: string;
}

/**
 * The payload hash the request is signed with, given rather than computed by the SDK: a hash
 * already known (the whole object's SHA-256), or UNSIGNED-PAYLOAD where Content-MD5 guards the bytes.
 */
export function withPayloadHash<C extends { middlewareStack: { add: UploadPartCommand['middlewareStack']['add'] } }>(cmd: C, hash: string): C {
  cmd.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { headers?: Record<string, string> };
      if (req.headers) req.headers['x-amz-content-sha256'] = hash;
      return next(args);
    },
    { step: 'build', name: 'vigilPayloadHash' },
  );
  return cmd;
}

export function splitParts(body: Buffer, partBytes: number): Part[] {
  const size = Math.max(MIN_PART_BYTES, partBytes);
  const parts: Part[] = [];
  for (let off = 0, n = 1; off < body.length; off += size, n++) {
    const b = body.subarray(off, Math.min(body.length, off + size));
    parts.push({ number: n, body: b, md5Hex: createHash('md5').update(b).digest('hex') });
  }
  return parts;
}

const etag = (s: string | undefined) => (s ?? '').replace(/"/g, '').toLowerCase();

export async function multipartPut(t: MultipartTarget, body: Buffer, o: PutOptions): Promise<MultipartResult> {
  const parts = splitParts(body, t.partBytes);
  const { uploadId, held } = await resumable(t, parts);
  let id = uploadId;
  if (!id) {
    const created = await t.call(`create upload ${t.key}`, () =>
      t.s3.send(
        new CreateMultipartUploadCommand({
          Bucket: t.bucket,
          Key: t.key,
          ContentType: 'video/mp4',
          Metadata: { ...o.metadata, sha256: o.sha256 },
          ...(o.retainUntil !== null ? { ObjectLockMode: 'COMPLIANCE' as const, ObjectLockRetainUntilDate: new Date(o.retainUntil) } : {}),
          ObjectLockLegalHoldStatus: o.legalHold ? 'ON' : 'OFF',
        }),
      ),
    );
    id = created.UploadId!;
  }
  const etags = new Map<number, string>(held);
  const todo = parts.filter((p) => !held.has(p.number));
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const p = todo[next++]!;
      const r = await t.call(`part ${p.number} of ${t.key}`, () =>
        t.s3.send(
          withPayloadHash(
            new UploadPartCommand({
              Bucket: t.bucket, Key: t.key, UploadId: id, PartNumber: p.number, Body: p.body, ContentLength: p.body.length,
              ContentMD5: Buffer.from(p.md5Hex, 'hex').toString('base64'),
            }),
            'UNSIGNED-PAYLOAD',
          ),
        ),
      );
      etags.set(p.number, r.ETag ?? `"${p.md5Hex}"`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(t.concurrency, todo.length)) }, worker));
  const done = await t.call(`complete ${t.key}`, () =>
    t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: t.bucket, Key: t.key, UploadId: id,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.number, ETag: etags.get(p.number)! })) },
      }),
    ),
  );
  return { versionId: done.VersionId ?? null, resumedParts: held.size };
}

/**
 * An unfinished upload of this key whose parts so far are our bytes, with those parts; every
 * other unfinished upload of the key is aborted (it would only hold storage).
 */
async function resumable(t: MultipartTarget, parts: Part[]): Promise<{ uploadId: string | null; held: Map<number, string> }> {
  const list = await t.call(`list uploads ${t.key}`, () => t.s3.send(new ListMultipartUploadsCommand({ Bucket: t.bucket, Prefix: t.key })));
  const uploads = (list.Uploads ?? []).filter((u) => u.Key === t.key && u.UploadId).sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0));
  let chosen: string | null = null;
  const held = new Map<number, string>();
  for (const u of uploads) {
    if (chosen === null) {
      const listed = await t.call(`list parts ${t.key}`, () => t.s3.send(new ListPartsCommand({ Bucket: t.bucket, Key: t.key, UploadId: u.UploadId })));
      const same = (listed.Parts ?? []).every((sp) => {
        const mine = parts.find((p) => p.number === sp.PartNumber);
        return mine !== undefined && mine.body.length === Number(sp.Size) && etag(sp.ETag) === mine.md5Hex;
      });
      if (same) {
        chosen = u.UploadId!;
        for (const sp of listed.Parts ?? []) held.set(sp.PartNumber!, sp.ETag!);
        continue;
      }
    }
    await t.call(`abort upload ${t.key}`, () => t.s3.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: u.UploadId })));
  }
  return { uploadId: chosen, held };
}

/** Aborts unfinished uploads under `prefix` begun before `before` (epoch ms, the store's clock). */
export async function abortStaleUploads(t: Pick<MultipartTarget, 's3' | 'bucket' | 'call'>, prefix: string, before: number): Promise<number> {
  let aborted = 0;
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    const list = await t.call('list uploads', () => t.s3.send(new ListMultipartUploadsCommand({ Bucket: t.bucket, Prefix: prefix || undefined, KeyMarker, UploadIdMarker })));
    for (const u of list.Uploads ?? []) {
      if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? 0) >= before) continue;
      await t.call(`abort upload ${u.Key}`, () => t.s3.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: u.Key, UploadId: u.UploadId })));
      aborted++;
    }
    if (!list.IsTruncated) return aborted;
    KeyMarker = list.NextKeyMarker;
    UploadIdMarker = list.NextUploadIdMarker;
  }
}
