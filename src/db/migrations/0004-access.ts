import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Accounts and access (issue 4): users with argon2id password hashes and TOTP, role grants within
 * organisations, sessions and API tokens stored only as hashes, failed sign-ins for lockout, and
 * access requests with their officers and approvals.
 */
export function access(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('users'))
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', notNull)
        /** 工作证号 / 警号: unique, how officers are named on requests and in the register. */
        .addColumn('work_id', 'text', (c) => c.unique())
        .addColumn('organisation_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('status', 'text', notNull)
        .addColumn('password_hash', 'text', notNull)
        .addColumn('password_changed_at', MS, notNull)
        .addColumn('totp_secret', 'text')
        .addColumn('totp_pending_secret', 'text')
        .addColumn('totp_last_step', 'bigint')
        .addColumn('created_at', MS, notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();

      await withId(dialect, db.schema.createTable('role_grants'))
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('role', 'text', notNull)
        /** Null: the whole platform. */
        .addColumn('organisation_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('granted_by', 'bigint')
        .addColumn('created_at', MS, notNull)
        .execute();
      await db.schema.createIndex('role_grants_user').on('role_grants').column('user_id').execute();

      await db.schema
        .createTable('sessions')
        /** SHA-256 of the cookie value: a stolen database does not give working sessions. */
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
        /** 'full', or 'enrol' while a required second factor is not yet set up. */
        .addColumn('stage', 'text', notNull)
        .addColumn('created_at', MS, notNull)
        .addColumn('last_seen_at', MS, notNull)
        .addColumn('expires_at', MS, notNull)
        .addColumn('revoked_at', MS)
        .addColumn('source_address', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await withId(dialect, db.schema.createTable('api_tokens'))
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('name', 'text', notNull)
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        /** JSON array of permissions, a subset of the owner's. */
        .addColumn('permissions', 'text', notNull)
        .addColumn('organisation_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('expires_at', MS, notNull)
        .addColumn('revoked_at', MS)
        .addColumn('last_used_at', MS)
        .addColumn('created_at', MS, notNull)
        .execute();

      await db.schema
        .createTable('login_failures')
        .addColumn('login', 'text', notNull)
        .addColumn('at', MS, notNull)
        .execute();
      await db.schema.createIndex('login_failures_login').on('login_failures').columns(['login', 'at']).execute();

      await withId(dialect, db.schema.createTable('access_requests'))
        .addColumn('kind', 'text', notNull)
        .addColumn('state', 'text', notNull)
        .addColumn('requester_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('requester_kind', 'text', notNull)
        .addColumn('requesting_unit', 'text', notNull)
        .addColumn('purpose', 'text', notNull)
        .addColumn('case_number', 'text')
        .addColumn('destination', 'text', notNull)
        /** The organisation holding the footage, whose head decides. */
        .addColumn('custodian_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        .addColumn('profile_id', 'text', notNull)
        /** JSON array of camera ids. */
        .addColumn('camera_ids', 'text', notNull)
        .addColumn('range_from', MS, notNull)
        .addColumn('range_to', MS, notNull)
        .addColumn('validity_ms', MS, notNull)
        .addColumn('valid_until', MS)
        .addColumn('document_sha256', 'text')
        .addColumn('document_type', 'text')
        /** JSON array of {userId, role, at}. */
        .addColumn('approvals', 'text', notNull)
        .addColumn('decision_reason', 'text')
        .addColumn('decided_by', 'bigint')
        .addColumn('created_at', MS, notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();
      await db.schema.createIndex('access_requests_requester').on('access_requests').column('requester_id').execute();

      await db.schema
        .createTable('access_request_officers')
        .addColumn('request_id', 'bigint', (c) => c.notNull().references('access_requests.id'))
        .addColumn('position', 'integer', notNull)
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('work_id', 'text', notNull)
        .addColumn('confirmed_at', MS)
        .addPrimaryKeyConstraint('access_request_officers_pk', ['request_id', 'position'])
        .execute();
      await db.schema.createIndex('access_request_officers_user').on('access_request_officers').column('user_id').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['access_request_officers', 'access_requests', 'login_failures', 'api_tokens', 'sessions', 'role_grants', 'users']) {
        await db.schema.dropTable(t).execute();
      }
    },
  };
}
