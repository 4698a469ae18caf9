import type { Kysely } from 'kysely';
import { MS } from './ddl.js';

/**
 * Kept-aside footage (0053) lives the life of any footage (issue 22): it is uploaded to the object
 * store with its lock (the object's key, version, lock and when; whether the node's local copy is
 * gone), and it is deleted when its retention period has run out (`removed_at`: decided and
 * registered; `gone_at`: the file and its object are gone). Until `gone_at` is set a later pass
 * finishes what a crash interrupted. A file the uploader refuses (gone from the disk, or changed since
 * it was kept) says why in `upload_refused`, once.
 */
export function fencedFootageLifecycle() {
  const columns: [string, 'bigint' | 'text' | 'integer', number | null][] = [
    ['object_key', 'text', null],
    ['version_id', 'text', null],
    ['retain_until', MS, null],
    ['legal_hold', 'integer', 0],
    ['uploaded_at', MS, null],
    ['local_removed', 'integer', 0],
    ['removed_at', MS, null],
    ['gone_at', MS, null],
    /** Why the node's uploader refused the file (missing, or its bytes changed since it was kept). */
    ['upload_refused', 'text', null],
  ];
  return {
    async up(db: Kysely<unknown>) {
      for (const [name, type, fallback] of columns) {
        await db.schema.alterTable('fenced_footage').addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback))).execute();
      }
      await db.schema.createIndex('fenced_footage_end').on('fenced_footage').columns(['end_ms']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('fenced_footage_end').execute();
      for (const [name] of [...columns].reverse()) await db.schema.alterTable('fenced_footage').dropColumn(name).execute();
    },
  };
}
