// Bookmarks on footage (migration 0034): the one owner of the bookmarks table. A bookmark is a
// camera, an instant and a note, kept for the person who made it.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface BookmarkTable {
  id: Generated<number>;
  owner_id: number;
  camera_id: number;
  at_ms: number;
  note: string;
  created_at: number;
}

export interface BookmarkTables {
  bookmarks: BookmarkTable;
}

export interface Bookmark {
  id: number;
  ownerId: number;
  cameraId: number;
  at: number;
  note: string;
  createdAt: number;
}

const toBookmark = (r: Selectable<BookmarkTable>): Bookmark => ({
  id: Number(r.id), ownerId: Number(r.owner_id), cameraId: Number(r.camera_id), at: Number(r.at_ms), note: r.note, createdAt: Number(r.created_at),
});

export class BookmarkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(b: { ownerId: number; cameraId: number; at: number; note: string; createdAt: number }): Promise<Bookmark> {
    const row = await this.db.insertInto('bookmarks').values({ owner_id: b.ownerId, camera_id: b.cameraId, at_ms: b.at, note: b.note, created_at: b.createdAt }).returningAll().executeTakeFirstOrThrow();
    return toBookmark(row);
  }

  async get(id: number): Promise<Bookmark | undefined> {
    const row = await this.db.selectFrom('bookmarks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toBookmark(row);
  }

  /** One person's bookmarks, optionally on some cameras and within [from, to], by instant. */
  async listOf(ownerId: number, f: { cameraIds?: number[]; from?: number; to?: number } = {}): Promise<Bookmark[]> {
    let q = this.db.selectFrom('bookmarks').selectAll().where('owner_id', '=', ownerId);
    if (f.cameraIds) {
      if (!f.cameraIds.length) return [];
      q = q.where('camera_id', 'in', f.cameraIds);
    }
    if (f.from !== undefined) q = q.where('at_ms', '>=', f.from);
    if (f.to !== undefined) q = q.where('at_ms', '<=', f.to);
    return (await q.orderBy('at_ms').orderBy('id').limit(1000).execute()).map(toBookmark);
  }

  /** Removes one of the owner's bookmarks; false when there was none of theirs by that id. */
  async remove(id: number, ownerId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('bookmarks').where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
