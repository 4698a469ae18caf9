import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Keeping cameras running (issue 7, R6, R1.5, R3.2): diagnostic results with their snapshots,
 * each camera's reference view, work orders for maintainer units, alarms (faults, overdue
 * orders, operators' reports to the police, storage), daily rate roll-ups and removal notices.
 */
export function health(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('health_diagnostics'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('at', MS, notNull)
        /** 'recording' (keyframes from the index), 'live' (grabbed from the source) or 'none'. */
        .addColumn('source', 'text', notNull)
        .addColumn('ok', 'integer', notNull)
        /** JSON array of findings: kind, value, threshold, detail. */
        .addColumn('findings', 'text', notNull)
        .addColumn('measures', 'text', notNull)
        /** Relative to dataDir, forward slashes. */
        .addColumn('snapshot', 'text')
        .execute();
      await db.schema.createIndex('health_diagnostics_camera_at').on('health_diagnostics').columns(['camera_id', 'at']).execute();

      await db.schema
        .createTable('health_references')
        .addColumn('camera_id', 'bigint', (c) => c.primaryKey().references('cameras.id'))
        /** 32x18 grey thumbnail, base64: the approved view (R1.5). */
        .addColumn('signature', 'text', notNull)
        .addColumn('snapshot', 'text')
        .addColumn('set_at', MS, notNull)
        /** Null: taken by the platform from the first sample that passed. */
        .addColumn('set_by', 'bigint')
        .addColumn('reason', 'text', notNull)
        .execute();

      await withId(dialect, db.schema.createTable('work_orders'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('maintainer_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('cause', 'text', notNull)
        /** open → escalated (overdue) → closed. */
        .addColumn('state', 'text', notNull)
        .addColumn('opened_at', MS, notNull)
        .addColumn('opened_by', 'bigint')
        .addColumn('due_at', MS)
        .addColumn('deadline_hours', 'integer')
        .addColumn('deadline_article', 'text')
        .addColumn('deadline_basis', 'text', notNull)
        .addColumn('profile_id', 'text', notNull)
        .addColumn('findings', 'text', notNull)
        .addColumn('diagnostic_id', 'bigint')
        .addColumn('escalated_at', MS)
        .addColumn('closed_at', MS)
        .addColumn('closed_by', 'bigint')
        /** The fresh diagnostic that passed: proof of repair. */
        .addColumn('proof_diagnostic_id', 'bigint')
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.createIndex('work_orders_camera_state').on('work_orders').columns(['camera_id', 'state']).execute();
      await db.schema.createIndex('work_orders_state_due').on('work_orders').columns(['state', 'due_at']).execute();

      await withId(dialect, db.schema.createTable('alarms'))
        .addColumn('at', MS, notNull)
        .addColumn('kind', 'text', notNull)
        .addColumn('severity', 'text', notNull)
        .addColumn('camera_id', 'bigint')
        /** Where the alarm is routed: the maintainer unit, or the police platform of the camera's region. */
        .addColumn('organisation_id', 'bigint')
        .addColumn('title', 'text', notNull)
        .addColumn('detail', 'text', notNull)
        .addColumn('snapshot', 'text')
        .addColumn('clip_from', MS)
        .addColumn('clip_to', MS)
        .addColumn('reported_by', 'bigint')
        .addColumn('work_order_id', 'bigint')
        .addColumn('acknowledged_at', MS)
        .addColumn('acknowledged_by', 'bigint')
        .execute();
      await db.schema.createIndex('alarms_at').on('alarms').columns(['at']).execute();
      await db.schema.createIndex('alarms_camera').on('alarms').columns(['camera_id', 'at']).execute();

      await db.schema
        .createTable('health_daily')
        /** Local calendar day 'YYYY-MM-DD'. */
        .addColumn('day', 'text', notNull)
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('region_id', 'bigint', notNull)
        .addColumn('unit_id', 'bigint')
        .addColumn('online_ms', 'bigint', notNull)
        .addColumn('total_ms', 'bigint', notNull)
        .addColumn('good', 'integer', notNull)
        .addPrimaryKeyConstraint('health_daily_pk', ['day', 'camera_id'])
        .execute();

      await withId(dialect, db.schema.createTable('camera_notices'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('kind', 'text', notNull)
        .addColumn('notice_at', MS, notNull)
        .addColumn('planned_at', MS, notNull)
        .addColumn('in_time', 'integer', notNull)
        .addColumn('notice_days', 'integer')
        .addColumn('article', 'text')
        .addColumn('reason', 'text', notNull)
        .addColumn('profile_id', 'text', notNull)
        .addColumn('filed_by', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['camera_notices', 'health_daily', 'alarms', 'work_orders', 'health_references', 'health_diagnostics']) await db.schema.dropTable(t).execute();
    },
  };
}
