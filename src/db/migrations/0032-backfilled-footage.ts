import type { Kysely } from 'kysely';

/**
 * Issue 18, gap backfill (补录): footage downloaded from a GB/T 28181 device's own storage into a
 * gap of our recording is original footage like any other (hashed, Merkle-logged, kept by the
 * camera's profile), but the timeline, playback and export must be able to say where it came
 * from. Each file and each fragment says so: `recorder` (recorded live by Vigil) or `device`
 * (backfilled from the device). Existing rows are the recorder's.
 */
export function backfilledFootage() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('recording_files').addColumn('origin', 'text', (c) => c.notNull().defaultTo('recorder')).execute();
      await db.schema.alterTable('recording_fragments').addColumn('origin', 'text', (c) => c.notNull().defaultTo('recorder')).execute();
    },
  };
}
