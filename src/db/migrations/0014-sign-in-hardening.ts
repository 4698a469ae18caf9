import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Issue 14 (items 3 and 4): sign-in failures remember the address they came from, so delays and
 * limits fall on the (account, address) pair and on the address, never on a name alone, which a
 * stranger could lock; an account whose password an administrator set must change it first; a
 * powerful role granted by the administrator who created the account waits for a second one.
 */
export function signInHardening(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('login_failures').addColumn('source_address', 'text').execute();
      await db.schema.createIndex('login_failures_address').on('login_failures').columns(['source_address', 'at']).execute();
      await db.schema.alterTable('users').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('created_by', 'bigint').execute();
      await db.schema.alterTable('role_grants').addColumn('awaiting_confirmation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('role_grants').dropColumn('awaiting_confirmation').execute();
      await db.schema.alterTable('users').dropColumn('created_by').execute();
      await db.schema.alterTable('users').dropColumn('must_change_password').execute();
      await db.schema.dropIndex('login_failures_address').execute();
      await db.schema.alterTable('login_failures').dropColumn('source_address').execute();
    },
  };
}
