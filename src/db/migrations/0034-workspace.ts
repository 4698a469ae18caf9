import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * A person's own working material in the console, kept on the server so it follows them from
 * one desk to the next (issue 20): bookmarks on footage (a camera, an instant, a note) and saved
 * video wall views (a name, a layout, the camera on each tile). Each belongs to its maker; nobody
 * else reads it.
 */
export function workspace(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('bookmarks'))
        .addColumn('owner_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('at_ms', MS, notNull)
        .addColumn('note', 'text', notNull)
        .addColumn('created_at', MS, notNull)
        .execute();
      await db.schema.createIndex('bookmarks_owner').on('bookmarks').columns(['owner_id', 'camera_id', 'at_ms']).execute();
      await withId(dialect, db.schema.createTable('wall_views'))
        .addColumn('owner_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('name', 'text', notNull)
        /** 1, 4, 9 or 16 tiles. */
        .addColumn('layout', 'integer', notNull)
        /** JSON: the camera id on each tile, null for an empty one. */
        .addColumn('tiles', 'text', notNull)
        .addColumn('updated_at', MS, notNull)
        .addUniqueConstraint('wall_views_owner_name', ['owner_id', 'name'])
        .execute();
    },
  };
}
