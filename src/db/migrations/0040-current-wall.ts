import type { Kysely } from 'kysely';
import { MS, notNull } from './ddl.js';

/**
 * The video wall as a person last left it (issue 20): its layout and the camera on each tile, one
 * row a person, kept on the server so the wall comes back on another browser or desk as they left
 * it. Saved views (0034) are named copies; this is the one that is on screen.
 */
export function currentWall() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('current_walls')
        .addColumn('owner_id', 'bigint', (c) => c.primaryKey().references('users.id'))
        /** 1, 4, 9 or 16 tiles. */
        .addColumn('layout', 'integer', notNull)
        /** JSON: the camera id on each tile, null for an empty one (up to 16, kept across layouts). */
        .addColumn('tiles', 'text', notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();
    },
  };
}
