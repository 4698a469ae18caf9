// The object store of a process (storage.backend "s3"), made once per configuration and shared by
// every role in it: the recorder uploads to it, the evidence services read, mirror holds and
// delete through it. Null with the default local backend.
import type { Config } from '../config/config.schema.js';
import { StoredFootage, type FootageReader } from '../storage/footage-reader.js';
import type { ObjectStore } from '../storage/object-store.js';
import { S3OnFirstUse } from '../storage/s3-on-first-use.js';
import type { Db } from '../db/database.js';
import type { Repositories } from '../db/repositories.js';
import { peerFootageOf } from './peer-footage.js';

const stores = new WeakMap<object, ObjectStore | null>();

export function objectStoreOf(ctx: { config: Config }): ObjectStore | null {
  if (!stores.has(ctx.config)) stores.set(ctx.config, openObjectStore(ctx.config));
  return stores.get(ctx.config)!;
}

export function openObjectStore(config: Config): ObjectStore | null {
  const s = config.storage;
  if (s.backend !== 's3') return null;
  return new S3OnFirstUse({
    ...(s.s3.endpoint ? { endpoint: s.s3.endpoint } : {}),
    region: s.s3.region,
    bucket: s.s3.bucket!,
    ...(s.s3.accessKeyId && s.s3.secretAccessKey ? { accessKeyId: s.s3.accessKeyId, secretAccessKey: s.s3.secretAccessKey } : {}),
    forcePathStyle: s.s3.forcePathStyle,
    keyPrefix: s.s3.keyPrefix,
    timeoutMs: s.s3.timeoutSeconds * 1000,
  });
}

/**
 * Where this process reads recording files: local disk, then the object store if any, then (in a
 * cluster on PostgreSQL) the recorder node whose disk holds a file not yet uploaded.
 */
export function footageReaderOf(ctx: { config: Config; db?: Db; repos?: Repositories }, absolute: (relPath: string) => string): FootageReader {
  const repos = ctx.repos;
  // The key the uploader stored the file under (with its lease epoch), from the index of objects.
  const keyOf = repos ? async (path: string) => (await repos.footageObjects.byPath(path))?.objectKey ?? path : undefined;
  return new StoredFootage(absolute, objectStoreOf(ctx), peerFootageOf(ctx), keyOf);
}
