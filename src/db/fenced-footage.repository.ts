// Footage written under a lost lease and kept aside (migration 0053, issue 22): the one owner of
// `fenced_footage`. The recorder registers each kept file once; readers list them per camera.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface FencedFootageTable {
  id: Generated<number>;
  camera_id: number;
  node_id: string;
  epoch: number;
  source_path: string;
  path: string;
  start_ms: number;
  end_ms: number;
  fragments: number;
  bytes: number;
  sha256: string;
  overlaps_holder: number;
  kept_at: number;
  object_key: string | null;
  version_id: string | null;
  retain_until: number | null;
  legal_hold: Generated<number>;
  uploaded_at: number | null;
  local_removed: Generated<number>;
  removed_at: number | null;
  gone_at: number | null;
  upload_refused: string | null;
}

export interface FencedFootageTables {
  fenced_footage: FencedFootageTable;
}

export interface NewFencedFootage {
  cameraId: number;
  nodeId: string;
  epoch: number;
  sourcePath: string;
  path: string;
  startMs: number;
  endMs: number;
  fragments: number;
  bytes: number;
  sha256: string;
  /** A later epoch's indexed footage of the camera lies in the same time. */
  overlapsHolder: boolean;
  keptAt: number;
}

/** Where a kept file is stored as an object (0066), with the lock it carries. */
export interface StoredFenced {
  objectKey: string;
  versionId: string | null;
  retainUntil: number | null;
  legalHold: boolean;
  uploadedAt: number;
}

export interface FencedFootage extends NewFencedFootage {
  id: number;
  /** Null while the file is only on the keeping node's disk. */
  stored: StoredFenced | null;
  /** The node's local copy was removed after upload. */
  localRemoved: boolean;
  /** When retention decided and registered its deletion (null while it is kept). */
  removedAt: number | null;
  /** When its file and object were gone (null while a removal is unfinished). */
  goneAt: number | null;
  /** Why the uploader refused it (its file missing or changed since it was kept); null otherwise. */
  uploadRefused: string | null;
}

const n = (v: unknown) => Number(v);
const toRow = (r: Selectable<FencedFootageTable>): FencedFootage => ({
  id: n(r.id), cameraId: n(r.camera_id), nodeId: r.node_id, epoch: n(r.epoch), sourcePath: r.source_path, path: r.path,
  startMs: n(r.start_ms), endMs: n(r.end_ms), fragments: n(r.fragments), bytes: n(r.bytes), sha256: r.sha256,
  overlapsHolder: n(r.overlaps_holder) === 1, keptAt: n(r.kept_at),
  stored: r.object_key === null ? null : {
    objectKey: r.object_key, versionId: r.version_id, retainUntil: r.retain_until === null ? null : n(r.retain_until), legalHold: n(r.legal_hold) === 1, uploadedAt: n(r.uploaded_at),
  },
  localRemoved: n(r.local_removed) === 1,
  removedAt: r.removed_at === null ? null : n(r.removed_at),
  goneAt: r.gone_at === null ? null : n(r.gone_at),
  uploadRefused: r.upload_refused,
});

export class FencedFootageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Registers a kept file; the same path registered again (a retry after a lost answer) is the same row. */
  async register(f: NewFencedFootage): Promise<FencedFootage> {
    const values = {
      camera_id: f.cameraId, node_id: f.nodeId, epoch: f.epoch, source_path: f.sourcePath, path: f.path, start_ms: f.startMs, end_ms: f.endMs,
      fragments: f.fragments, bytes: f.bytes, sha256: f.sha256, overlaps_holder: f.overlapsHolder ? 1 : 0, kept_at: f.keptAt,
    };
    await this.db.insertInto('fenced_footage').values(values).onConflict((oc) => oc.column('path').doNothing()).execute();
    return toRow(await this.db.selectFrom('fenced_footage').selectAll().where('path', '=', f.path).executeTakeFirstOrThrow());
  }

  /** A camera's kept footage, oldest first (every camera's when absent), removed ones included. */
  async list(cameraId?: number): Promise<FencedFootage[]> {
    let q = this.db.selectFrom('fenced_footage').selectAll();
    if (cameraId !== undefined) q = q.where('camera_id', '=', cameraId);
    return (await q.orderBy('start_ms').orderBy('id').execute()).map(toRow);
  }

  /** Kept files still in force whose time overlaps [from, to) of a camera, oldest first. */
  async inRange(cameraId: number, from: number, to: number): Promise<FencedFootage[]> {
    const rows = await this.db.selectFrom('fenced_footage').selectAll()
      .where('camera_id', '=', cameraId).where('removed_at', 'is', null).where('start_ms', '<', to).where('end_ms', '>', from)
      .orderBy('start_ms').orderBy('id').execute();
    return rows.map(toRow);
  }

  /** Kept files of `nodeId` not yet in the object store (nor removed), oldest first. */
  async pendingUploads(nodeId: string, limit: number): Promise<FencedFootage[]> {
    const rows = await this.db.selectFrom('fenced_footage').selectAll()
      .where('node_id', '=', nodeId).where('object_key', 'is', null).where('removed_at', 'is', null).where('upload_refused', 'is', null)
      .orderBy('id').limit(limit).execute();
    return rows.map(toRow);
  }

  /** Records why the uploader refused a kept file; false when a refusal was already recorded. */
  async markUploadRefused(id: number, why: string): Promise<boolean> {
    const r = await this.db.updateTable('fenced_footage').set({ upload_refused: why }).where('id', '=', id).where('upload_refused', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Records that a kept file is stored as an object with its lock. */
  async markStored(id: number, s: StoredFenced): Promise<void> {
    await this.db.updateTable('fenced_footage')
      .set({ object_key: s.objectKey, version_id: s.versionId, retain_until: s.retainUntil, legal_hold: s.legalHold ? 1 : 0, uploaded_at: s.uploadedAt })
      .where('id', '=', id).execute();
  }

  /** Kept files in force that are stored as objects (few: a lease lost with footage unindexed is rare). */
  async storedInForce(): Promise<FencedFootage[]> {
    const rows = await this.db.selectFrom('fenced_footage').selectAll().where('object_key', 'is not', null).where('removed_at', 'is', null).orderBy('id').execute();
    return rows.map(toRow);
  }

  /** The lock mirrored onto a stored kept file's object (object-lock-sync.ts). */
  async setLock(id: number, lock: { legalHold?: boolean; retainUntil?: number }): Promise<void> {
    await this.db.updateTable('fenced_footage')
      .set({ ...(lock.legalHold === undefined ? {} : { legal_hold: lock.legalHold ? 1 : 0 }), ...(lock.retainUntil === undefined ? {} : { retain_until: lock.retainUntil }) })
      .where('id', '=', id).execute();
  }

  /** Stored kept files of `nodeId` whose local copy is still on its disk. */
  async storedWithLocalCopy(nodeId: string): Promise<FencedFootage[]> {
    const rows = await this.db.selectFrom('fenced_footage').selectAll()
      .where('node_id', '=', nodeId).where('object_key', 'is not', null).where('local_removed', '=', 0).where('gone_at', 'is', null)
      .orderBy('id').execute();
    return rows.map(toRow);
  }

  async markLocalRemoved(id: number): Promise<void> {
    await this.db.updateTable('fenced_footage').set({ local_removed: 1 }).where('id', '=', id).execute();
  }

  async cameraIdsInForce(): Promise<number[]> {
    const rows = await this.db.selectFrom('fenced_footage').select('camera_id').distinct().where('removed_at', 'is', null).execute();
    return rows.map((r) => Number(r.camera_id));
  }

  /** Kept files in force that ended before `ms`: the only ones a retention period can have run out for. */
  async endedBefore(ms: number): Promise<FencedFootage[]> {
    const rows = await this.db.selectFrom('fenced_footage').selectAll().where('removed_at', 'is', null).where('end_ms', '<', ms).orderBy('id').execute();
    return rows.map(toRow);
  }

  /** Retention's decision, in its transaction: false when the row was already removed. */
  async markRemoved(trx: Kysely<Database>, id: number, at: number): Promise<boolean> {
    const r = await trx.updateTable('fenced_footage').set({ removed_at: at }).where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Removals decided whose file or object is not gone yet (a crash, or the store refused). */
  async removalsUnfinished(): Promise<FencedFootage[]> {
    const rows = await this.db.selectFrom('fenced_footage').selectAll().where('removed_at', 'is not', null).where('gone_at', 'is', null).orderBy('id').execute();
    return rows.map(toRow);
  }

  async markGone(id: number, at: number): Promise<void> {
    await this.db.updateTable('fenced_footage').set({ gone_at: at }).where('id', '=', id).execute();
  }
}
