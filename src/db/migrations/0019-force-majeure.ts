import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Force majeure (不可抗力, HRB-25(3)): a camera's outage span proposed by one person and confirmed
 * by another; confirmed spans leave the rates' denominators. The daily roll-up keeps what was
 * left out beside the rates, so a report can show it apart.
 */
export function forceMajeure(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('force_majeure'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('from_ms', MS, notNull)
        .addColumn('to_ms', MS, notNull)
        .addColumn('reason', 'text', notNull)
        /** The article the exclusion rests on, from the camera's profile when proposed. */
        .addColumn('article', 'text', notNull)
        .addColumn('profile_id', 'text', notNull)
        .addColumn('proposed_by', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('proposed_at', MS, notNull)
        .addColumn('confirmed_by', 'bigint', (c) => c.references('users.id'))
        .addColumn('confirmed_at', MS)
        .execute();
      await db.schema.createIndex('force_majeure_camera_span').on('force_majeure').columns(['camera_id', 'from_ms', 'to_ms']).execute();
      await db.schema.alterTable('health_daily').addColumn('excluded_ms', MS, (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('health_daily').addColumn('excused', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
