import type { Kysely } from 'kysely';
import { MS, notNull } from './ddl.js';

/**
 * Issue 19: an emergency connection (接入) is kept in the database while it is open, so it outlives
 * the process that opened it. Its holder renews `alive_at`; a connection whose holder stopped
 * renewing (it crashed) is taken over by another process, or by the same one started again: resumed
 * when its period has not ended, else closed and registered as ended. `ended_at` is set when it ends.
 */
export function emergencyConnections() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('emergency_connections')
        .addColumn('request_id', 'bigint', (c) => c.primaryKey().references('access_requests.id'))
        .addColumn('upper_sip_id', 'text', notNull)
        .addColumn('opened_at', MS, notNull)
        /** The end of the approved period, epoch ms. */
        .addColumn('until_at', MS, notNull)
        .addColumn('opened_by', 'bigint', notNull)
        /** Which process holds it now (host, pid, start), and when it last said it still does. */
        .addColumn('holder', 'text', notNull)
        .addColumn('alive_at', MS, notNull)
        .addColumn('ended_at', MS)
        .execute();
      await db.schema.createIndex('emergency_connections_open').on('emergency_connections').column('ended_at').execute();
    },
  };
}
