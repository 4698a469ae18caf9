// The S3 backend as a process holds it: the AWS SDK (several hundred milliseconds of CPU to load)
// is loaded by the first request to the store, not when the configuration names one. A command
// or role that never reads nor writes an object never loads it.
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
import type { S3ObjectStore, S3Settings } from './s3-object-store.js';

/** The store's description for logs and errors: endpoint and bucket, never credentials. */
export function s3Where(s: Pick<S3Settings, 'endpoint' | 'region' | 'bucket'>): string {
  return `${s.endpoint ?? `s3.${s.region}`}/${s.bucket}`;
}

export class S3OnFirstUse implements ObjectStore {
  readonly where: string;
  private store?: Promise<S3ObjectStore>;
  private closed = false;

  constructor(private readonly settings: S3Settings) {
    this.where = s3Where(settings);
  }

  private async loaded(): Promise<S3ObjectStore> {
    if (this.closed) throw new Error(`the object store ${this.where} is closed`);
    this.store ??= import('./s3-object-store.js').then(({ S3ObjectStore }) => new S3ObjectStore(this.settings));
    return this.store;
  }

  async ensureBucket(): Promise<void> {
    return (await this.loaded()).ensureBucket();
  }
  async put(key: string, body: Buffer, o: PutOptions): Promise<{ versionId: string | null }> {
    return (await this.loaded()).put(key, body, o);
  }
  async head(key: string, versionId?: string | null): Promise<ObjectInfo | undefined> {
    return (await this.loaded()).head(key, versionId);
  }
  async read(key: string, offset: number, length: number, versionId?: string | null): Promise<Buffer> {
    return (await this.loaded()).read(key, offset, length, versionId);
  }
  async delete(key: string, versionId: string | null): Promise<void> {
    return (await this.loaded()).delete(key, versionId);
  }
  async setLegalHold(key: string, versionId: string | null, on: boolean): Promise<void> {
    return (await this.loaded()).setLegalHold(key, versionId, on);
  }
  async extendRetention(key: string, versionId: string | null, retainUntil: number): Promise<void> {
    return (await this.loaded()).extendRetention(key, versionId, retainUntil);
  }
  async abortStaleUploads(before: number): Promise<number> {
    return (await this.loaded()).abortStaleUploads(before);
  }
  /** Closes the client, also one still being made (the SDK loading when the process stops). */
  close(): void {
    this.closed = true;
    void this.store?.then((s) => s.close(), () => undefined);
  }
}
