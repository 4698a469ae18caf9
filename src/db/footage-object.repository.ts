// Recording files stored as objects (migration 0029): the uploader's state, the retention and
// legal hold each object carries, and what retention's garbage step deletes. Reads the recording
// index's `recording_files` only to find closed files with no object yet (the upload backlog).
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface FootageObjectTable {
  file_id: number;
  camera_id: number;
  path: string;
  started_at: number;
  ended_at: number;
  bytes: number;
  object_key: string;
  version_id: string | null;
  sha256: string;
  retain_until: number | null;
  legal_hold: number;
  uploaded_at: number;
  local_removed: number;
}

export interface FootageObjectTables {
  footage_objects: FootageObjectTable;
}

/** A closed recording file not yet stored as an object. */
export interface PendingUpload {
  fileId: number;
  cameraId: number;
  path: string;
  startedAt: number;
  endedAt: number;
  bytes: number;
  /** The lease epoch the file was written under (0: a single process); part of its object key. */
  epoch?: number;
}

/** A recording file stored as an object: what was uploaded, under which lock. */
export interface FootageObject extends PendingUpload {
  objectKey: string;
  versionId: string | null;
  sha256: string;
  retainUntil: number | null;
  legalHold: boolean;
  uploadedAt: number;
  localRemoved: boolean;
}

const n = (v: unknown) => Number(v);

const toObject = (r: Selectable<FootageObjectTable>): FootageObject => ({
  fileId: n(r.file_id), cameraId: n(r.camera_id), path: r.path, startedAt: n(r.started_at), endedAt: n(r.ended_at), bytes: n(r.bytes),
  objectKey: r.object_key, versionId: r.version_id, sha256: r.sha256, retainUntil: r.retain_until === null ? null : n(r.retain_until),
  legalHold: n(r.legal_hold) === 1, uploadedAt: n(r.uploaded_at), localRemoved: n(r.local_removed) === 1,
});

export class FootageObjectRepository {
  constructor(readonly db: Kysely<Database>) {}

  /** Closed files with data and no object, oldest first: what is left to upload. */
  async pendingUploads(limit: number, afterFileId = 0): Promise<PendingUpload[]> {
    const rows = await this.db
      .selectFrom('recording_files as f')
      .leftJoin('footage_objects as o', 'o.file_id', 'f.id')
      .select(['f.id', 'f.camera_id', 'f.path', 'f.started_at', 'f.ended_at', 'f.bytes', 'f.epoch'])
      .where('o.file_id', 'is', null)
      .where('f.closed', '=', 1)
      .whereRef('f.bytes', '>', 'f.init_size')
      .where('f.id', '>', afterFileId)
      .orderBy('f.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ fileId: n(r.id), cameraId: n(r.camera_id), path: r.path, startedAt: n(r.started_at), endedAt: n(r.ended_at), bytes: n(r.bytes), epoch: n(r.epoch) }));
  }

  /** How many closed files, and how many bytes, wait for upload (the local buffer's backlog). */
  async backlog(): Promise<{ files: number; bytes: number }> {
    const r = await this.db
      .selectFrom('recording_files as f')
      .leftJoin('footage_objects as o', 'o.file_id', 'f.id')
      .select((eb) => [eb.fn.countAll().as('files'), eb.fn.sum('f.bytes').as('bytes')])
      .where('o.file_id', 'is', null)
      .where('f.closed', '=', 1)
      .whereRef('f.bytes', '>', 'f.init_size')
      .executeTakeFirst();
    return { files: n(r?.files ?? 0), bytes: n(r?.bytes ?? 0) };
  }

  /** When the oldest closed file still waiting for upload ended (null: none waits). */
  async oldestPendingEnd(): Promise<number | null> {
    const r = await this.db
      .selectFrom('recording_files as f')
      .leftJoin('footage_objects as o', 'o.file_id', 'f.id')
      .select((eb) => eb.fn.min('f.ended_at').as('oldest'))
      .where('o.file_id', 'is', null)
      .where('f.closed', '=', 1)
      .whereRef('f.bytes', '>', 'f.init_size')
      .executeTakeFirst();
    return r?.oldest === null || r?.oldest === undefined ? null : n(r.oldest);
  }

  async insert(o: FootageObject): Promise<void> {
    await this.db
      .insertInto('footage_objects')
      .values({
        file_id: o.fileId, camera_id: o.cameraId, path: o.path, started_at: o.startedAt, ended_at: o.endedAt, bytes: o.bytes, object_key: o.objectKey,
        version_id: o.versionId, sha256: o.sha256, retain_until: o.retainUntil, legal_hold: o.legalHold ? 1 : 0, uploaded_at: o.uploadedAt, local_removed: o.localRemoved ? 1 : 0,
      })
      .execute();
  }

  async byFile(fileId: number): Promise<FootageObject | undefined> {
    const r = await this.db.selectFrom('footage_objects').selectAll().where('file_id', '=', fileId).executeTakeFirst();
    return r && toObject(r);
  }

  async byPath(path: string): Promise<FootageObject | undefined> {
    const r = await this.db.selectFrom('footage_objects').selectAll().where('path', '=', path).orderBy('file_id', 'desc').executeTakeFirst();
    return r && toObject(r);
  }

  async byFiles(fileIds: number[]): Promise<Map<number, FootageObject>> {
    const out = new Map<number, FootageObject>();
    for (let i = 0; i < fileIds.length; i += 500) {
      const rows = await this.db.selectFrom('footage_objects').selectAll().where('file_id', 'in', fileIds.slice(i, i + 500)).execute();
      for (const r of rows) out.set(n(r.file_id), toObject(r));
    }
    return out;
  }

  /** Stored objects whose local copy is still to be removed. */
  async localCopies(limit: number): Promise<FootageObject[]> {
    const rows = await this.db.selectFrom('footage_objects').selectAll().where('local_removed', '=', 0).orderBy('file_id').limit(limit).execute();
    return rows.map(toObject);
  }

  async markLocalRemoved(fileId: number): Promise<void> {
    await this.db.updateTable('footage_objects').set({ local_removed: 1 }).where('file_id', '=', fileId).execute();
  }

  async setLegalHold(fileId: number, on: boolean): Promise<void> {
    await this.db.updateTable('footage_objects').set({ legal_hold: on ? 1 : 0 }).where('file_id', '=', fileId).execute();
  }

  /** Objects of a camera overlapping [from, to] (null: unbounded), with the given hold state. */
  async overlapping(cameraId: number, from: number | null, to: number | null, legalHold: boolean): Promise<FootageObject[]> {
    let q = this.db.selectFrom('footage_objects').selectAll().where('camera_id', '=', cameraId).where('legal_hold', '=', legalHold ? 1 : 0);
    if (from !== null) q = q.where('ended_at', '>=', from);
    if (to !== null) q = q.where('started_at', '<=', to);
    return (await q.orderBy('started_at').execute()).map(toObject);
  }

  /** Objects of a camera overlapping [from, to] (null: unbounded), whatever their hold. */
  async overlappingAll(cameraId: number, from: number | null, to: number | null): Promise<FootageObject[]> {
    let q = this.db.selectFrom('footage_objects').selectAll().where('camera_id', '=', cameraId);
    if (from !== null) q = q.where('ended_at', '>=', from);
    if (to !== null) q = q.where('started_at', '<=', to);
    return (await q.orderBy('started_at').execute()).map(toObject);
  }

  async setRetainUntil(fileId: number, retainUntil: number): Promise<void> {
    await this.db.updateTable('footage_objects').set({ retain_until: retainUntil }).where('file_id', '=', fileId).execute();
  }

  async held(): Promise<FootageObject[]> {
    return (await this.db.selectFrom('footage_objects').selectAll().where('legal_hold', '=', 1).orderBy('file_id').execute()).map(toObject);
  }

  async remove(fileId: number): Promise<void> {
    await this.db.deleteFrom('footage_objects').where('file_id', '=', fileId).execute();
  }
}
