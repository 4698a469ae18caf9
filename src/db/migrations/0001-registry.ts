import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/** Organisations (platforms and units), cameras and GB/T 28181 groups. */
export function registry(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('organisations'))
        .addColumn('kind', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('name_en', 'text')
        .addColumn('level', 'text')
        .addColumn('unit_roles', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('parent_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('path', 'text', notNull)
        .addColumn('region_code', 'text')
        .addColumn('profile_id', 'text')
        .addColumn('gb_id', 'text', (c) => c.unique())
        .addColumn('contact', 'text')
        .addColumn('created_at', MS, notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();
      await db.schema.createIndex('organisations_path').on('organisations').column('path').execute();
      await db.schema.createIndex('organisations_parent').on('organisations').column('parent_id').execute();

      await withId(dialect, db.schema.createTable('cameras'))
        .addColumn('gb_id', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', notNull)
        .addColumn('device_type', 'text', notNull)
        .addColumn('longitude', 'double precision')
        .addColumn('latitude', 'double precision')
        .addColumn('address', 'text', notNull)
        .addColumn('direction_deg', 'double precision')
        .addColumn('fov_deg', 'double precision')
        .addColumn('place_category', 'text', notNull)
        .addColumn('key_position', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('region_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        .addColumn('owner_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('user_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('managing_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('maintainer_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('funding', 'text', notNull)
        .addColumn('signage', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('in_service_date', 'text')
        .addColumn('status', 'text', notNull)
        .addColumn('source_url', 'text')
        .addColumn('search_text', 'text', notNull)
        .addColumn('created_at', MS, notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();
      for (const col of ['region_id', 'place_category', 'status', 'owner_unit_id', 'user_unit_id', 'managing_unit_id', 'maintainer_unit_id']) {
        await db.schema.createIndex(`cameras_${col}`).on('cameras').columns([col, 'id']).execute();
      }
      if (dialect === 'postgres') {
        // Free-text search over 100k+ points: a trigram index serves LIKE '%…%' on PostgreSQL.
        await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
        await sql`CREATE INDEX cameras_search_trgm ON cameras USING gin (search_text gin_trgm_ops)`.execute(db);
      }

      await withId(dialect, db.schema.createTable('camera_groups'))
        .addColumn('gb_id', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('parent_id', 'bigint', (c) => c.references('camera_groups.id'))
        .addColumn('created_at', MS, notNull)
        .execute();
      await db.schema
        .createTable('camera_group_members')
        .addColumn('group_id', 'bigint', (c) => c.notNull().references('camera_groups.id').onDelete('cascade'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('camera_group_members_pk', ['group_id', 'camera_id'])
        .execute();
      await db.schema.createIndex('camera_group_members_camera').on('camera_group_members').column('camera_id').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['camera_group_members', 'camera_groups', 'cameras', 'organisations']) {
        await db.schema.dropTable(t).execute();
      }
    },
  };
}
