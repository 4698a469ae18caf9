import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS } from './ddl.js';

/**
 * "Repair at once" made checkable (issue 7, R6.2): a work order carries the maintainer's response
 * deadline and the response, the escalation ladder (0 maintainer, 1 managing unit, 2 police) with
 * the police deadline, where each step is routed, and the plan it was opened under (duty, hours,
 * articles or platform defaults) as JSON for its page.
 */
export function workOrderEscalation(_dialect: DialectName) {
  const columns: [string, 'bigint' | 'text' | 'integer', string | number | null][] = [
    ['respond_by', MS, null],
    ['responded_at', MS, null],
    ['responded_by', 'bigint', null],
    ['police_due_at', MS, null],
    ['police_escalated_at', MS, null],
    ['escalation_level', 'integer', 0],
    ['managing_unit_id', 'bigint', null],
    ['region_id', 'bigint', null],
    ['plan', 'text', '{}'],
  ];
  return {
    async up(db: Kysely<unknown>) {
      for (const [name, type, fallback] of columns) {
        await db.schema
          .alterTable('work_orders')
          .addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback)))
          .execute();
      }
      await db.schema.createIndex('work_orders_state_police').on('work_orders').columns(['state', 'police_due_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('work_orders_state_police').execute();
      for (const [name] of [...columns].reverse()) await db.schema.alterTable('work_orders').dropColumn(name).execute();
    },
  };
}
