// Where footage goes once a recording file is closed, when the deployment keeps it in an object
// store with Object Lock (issue 22 part 3). The store is the last word on deletion: each object
// carries a COMPLIANCE-mode retention and, while Vigil holds the footage, a legal hold, so even
// the store's own administrators cannot delete or overwrite it early. Local disk stays the
// default and the write buffer (footage-reader.ts reads either transparently).

export interface PutOptions {
  /** Hex SHA-256 of the whole object, kept as its metadata (x-amz-meta-sha256). */
  sha256: string;
  /** COMPLIANCE retention until this instant (epoch ms); null: none (no period known). */
  retainUntil: number | null;
  legalHold: boolean;
  /** Further metadata (camera, times), lower-case keys. */
  metadata?: Record<string, string>;
}

export interface ObjectInfo {
  size: number;
  versionId: string | null;
  sha256: string | null;
  retainUntil: number | null;
  legalHold: boolean;
}

export interface ObjectStore {
  /** A description for logs and errors (endpoint and bucket, never credentials). */
  readonly where: string;
  /** Makes the bucket with Object Lock (versioned) if it is missing; refuses one without it. */
  ensureBucket(): Promise<void>;
  put(key: string, body: Buffer, o: PutOptions): Promise<{ versionId: string | null }>;
  /** The object's size, version and lock, or undefined when there is none. */
  head(key: string, versionId?: string | null): Promise<ObjectInfo | undefined>;
  /** `length` bytes from `offset` (one ranged GET); fewer only at the object's end. */
  read(key: string, offset: number, length: number, versionId?: string | null): Promise<Buffer>;
  /** Deletes one version for good; the store refuses within retention or under a legal hold. */
  delete(key: string, versionId: string | null): Promise<void>;
  setLegalHold(key: string, versionId: string | null, on: boolean): Promise<void>;
  /** Moves a COMPLIANCE retention later (the store refuses ever to move it earlier). */
  extendRetention(key: string, versionId: string | null, retainUntil: number): Promise<void>;
  /** Aborts unfinished uploads begun before `before` (epoch ms): a crash's leftovers holding storage. */
  abortStaleUploads?(before: number): Promise<number>;
  close(): void;
}

/** The store refused (retention, legal hold, permissions): not a fault to retry at once. */
export class ObjectStoreRefused extends Error {
  readonly code = 'OBJECT_STORE_REFUSED';
  constructor(message: string, readonly status: number | undefined) {
    super(message);
  }
}

/**
 * The object key of a recording file: its path, with the lease epoch it was written under when
 * there is one (recorder nodes, issue 22) — `recordings/7/2026-12-05/7-1764892800000.e3.mp4` — so
 * a node that lost the camera can never write the key of the node that holds it now.
 */
export function footageObjectKey(path: string, epoch = 0): string {
  return epoch > 0 ? path.replace(/\.mp4$/, `.e${epoch}.mp4`) : path;
}
