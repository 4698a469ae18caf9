import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Duty records (issue 17 item 9): what a unit shows an inspection that the platform cannot see
 * by itself — the design review before construction (AH-11, HRB-12, WH-10/15, CN799-11), the
 * emergency plan (AH-16(1)), periodic security checks (CN799-15), staff training and duty rosters
 * — each dated, with what it covers and, where one exists, the document in the archive store.
 */
export function dutyRecords(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('duty_records'))
        /** design-review, emergency-plan, security-evaluation, training, duty-roster. */
        .addColumn('kind', 'text', notNull)
        .addColumn('unit_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        /** The system it concerns; null for the unit as a whole (training, rosters). */
        .addColumn('system_id', 'bigint', (c) => c.references('systems.id'))
        .addColumn('title', 'text', notNull)
        /** The day it was held, reviewed or adopted. */
        .addColumn('held_at', MS, notNull)
        /** Until when it holds (a roster's period, a plan's review date); null: open-ended. */
        .addColumn('valid_until', MS)
        /** Who took part or reviewed: free text as on the paper record. */
        .addColumn('participants', 'text', notNull)
        .addColumn('document_sha256', 'text')
        /** The articles the record answers, from the unit's profile when recorded (JSON array). */
        .addColumn('articles', 'text', notNull)
        .addColumn('recorded_by', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('recorded_at', MS, notNull)
        .execute();
      await db.schema.createIndex('duty_records_unit').on('duty_records').columns(['unit_id', 'kind']).execute();
    },
  };
}
