// The cleaner's garbage table (migration 0005): files whose index rows are gone and that are
// still to be unlinked, so a crash between the two never leaves an index row naming no file.
import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface RetentionGarbageTable {
  id: Generated<number>;
  camera_id: number;
  file_id: number;
  path: string;
  created_at: number;
}

export interface RetentionGarbageTables {
  retention_garbage: RetentionGarbageTable;
}

const ROWS_PER_DELETE = 500;
const n = (v: unknown) => Number(v);

export class RetentionGarbageRepository {
  constructor(readonly db: Kysely<Database>) {}

  /** A file to unlink, in the caller's transaction (the one that removes its index rows). */
  async insert(trx: Transaction<Database>, g: { cameraId: number; fileId: number; path: string }, now: number): Promise<{ id: number; fileId: number; path: string }> {
    const row = await trx.insertInto('retention_garbage').values({ camera_id: g.cameraId, file_id: g.fileId, path: g.path, created_at: now }).returning('id').executeTakeFirstOrThrow();
    return { id: n(row.id), fileId: g.fileId, path: g.path };
  }

  async garbage(): Promise<{ id: number; fileId: number; path: string }[]> {
    const rows = await this.db.selectFrom('retention_garbage').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: n(r.id), fileId: n(r.file_id), path: r.path }));
  }

  async removeGarbage(ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += ROWS_PER_DELETE) await this.db.deleteFrom('retention_garbage').where('id', 'in', ids.slice(i, i + ROWS_PER_DELETE)).execute();
  }
}
