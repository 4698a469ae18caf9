import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS } from './ddl.js';

/**
 * Issue 22, lease cost: a recorder node renews ONE row per round, its own, instead of every
 * camera lease it holds (10,000 cameras were 5,000 row updates a second). A camera lease is live
 * while both its own expiry (set to "never" while held; to now when given up) and its holder's
 * `lease_until` lie ahead by the database's clock. Leases live at the upgrade stay live: each
 * node keeps the latest expiry of its leases, and a held camera's own expiry becomes "never".
 */
const LEASE_HELD = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: held until given up

export function nodeLeases(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('recorder_nodes').addColumn('lease_until', MS, (c) => c.notNull().defaultTo(0)).execute();
      if (dialect !== 'postgres') return;
      await sql`update recorder_nodes n set lease_until = coalesce((select max(l.expires_at) from camera_leases l where l.node_id = n.id), 0)`.execute(db);
      await sql`update camera_leases set expires_at = ${LEASE_HELD} where expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint`.execute(db);
    },
  };
}
