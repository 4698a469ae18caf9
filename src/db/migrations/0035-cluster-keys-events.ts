import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * What the processes of a cluster share besides the index (issue 22): secret keys every node must
 * agree on (the stream-token key, so a token issued by one API node opens a stream on another;
 * the key recorder nodes sign footage reads between each other with), and the event stream's
 * table — the truth the console's event stream is read from, on whichever node it is connected
 * to; PostgreSQL NOTIFY only wakes the readers. On SQLite the one process uses them alike.
 * And the hand-over columns of camera_leases.
 */
export function clusterKeysEvents(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cluster_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        /** base64 of 32 random bytes, written once by the first process that needs it. */
        .addColumn('secret', 'text', notNull)
        .addColumn('created_at', MS, notNull)
        .execute();
      await withId(dialect, db.schema.createTable('cluster_events'))
        /** The process that published it: it delivered it to its own listeners already. */
        .addColumn('origin', 'text', notNull)
        .addColumn('at', MS, notNull)
        /** The event as JSON. */
        .addColumn('body', 'text', notNull)
        .execute();
      await db.schema.createIndex('cluster_events_at').on('cluster_events').column('at').execute();
      // Make-before-break hand-over (docs/DEPLOY.md): the holder names the node placement chose;
      // that node connects and records its first fragments without writing a row, says it is
      // ready, and the holder, after its last row, passes the lease on with epoch + 1.
      await db.schema.alterTable('camera_leases').addColumn('successor', 'text').execute();
      await db.schema.alterTable('camera_leases').addColumn('successor_ready', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
