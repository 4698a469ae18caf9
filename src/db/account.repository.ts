// Storage of accounts: users, their role grants, sessions, API tokens and failed sign-ins.
// Secrets never arrive here in the clear: sessions and tokens are SHA-256 hashes, passwords argon2id.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type UserStatus = 'active' | 'disabled';

export interface UserTable {
  id: Generated<number>;
  login: string;
  display_name: string;
  work_id: string | null;
  organisation_id: number | null;
  status: UserStatus;
  password_hash: string;
  password_changed_at: number;
  /** Base32 TOTP secret once enrolment is confirmed. */
  totp_secret: string | null;
  /** Base32 secret shown at enrolment, until the first code confirms it. */
  totp_pending_secret: string | null;
  /** The last 30-second step a code was accepted for: older and equal steps are refused (replay). */
  totp_last_step: number | null;
  /** 1 while the password is one an administrator set: nothing else is open until it is changed. */
  must_change_password: number;
  /** The administrator who created the account; null for the platform (first run, command line). */
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

export interface RoleGrantTable {
  id: Generated<number>;
  user_id: number;
  role: string;
  organisation_id: number | null;
  granted_by: number | null;
  created_at: number;
  /** 1 until a second administrator confirms it; such a grant gives no power yet. */
  awaiting_confirmation: Generated<number>;
}

export type SessionStage = 'full' | 'enrol';

export interface SessionTable {
  id: string;
  user_id: number;
  stage: SessionStage;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
  source_address: string | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  permissions: string;
  organisation_id: number | null;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  created_at: number;
}

export interface LoginFailureTable {
  login: string;
  at: number;
  source_address: string | null;
}

export interface AccountTables {
  users: UserTable;
  role_grants: RoleGrantTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  login_failures: LoginFailureTable;
}

export type UserRow = Selectable<UserTable>;
export type SessionRow = Selectable<SessionTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;

export interface GrantRow {
  id: number;
  userId: number;
  role: string;
  organisationId: number | null;
  /** '' for the whole platform. */
  path: string;
  createdAt: number;
  grantedBy: number | null;
  awaitingConfirmation: boolean;
}

type Q = Kysely<Database> | Transaction<Database>;

const num = (v: number | null) => (v === null ? null : Number(v));

function user(r: UserRow): UserRow {
  return { ...r, id: Number(r.id), organisation_id: num(r.organisation_id), totp_last_step: num(r.totp_last_step), must_change_password: Number(r.must_change_password), created_by: num(r.created_by), created_at: Number(r.created_at), updated_at: Number(r.updated_at), password_changed_at: Number(r.password_changed_at) };
}

export class AccountRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async countUsers(q: Q = this.db): Promise<number> {
    const r = await q.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insertUser(u: Omit<UserRow, 'id'>, q: Q = this.db): Promise<UserRow> {
    return user(await q.insertInto('users').values(u).returningAll().executeTakeFirstOrThrow());
  }

  async updateUser(id: number, patch: Partial<Omit<UserRow, 'id'>>, q: Q = this.db): Promise<void> {
    await q.updateTable('users').set(patch).where('id', '=', id).execute();
  }

  async userById(id: number, q: Q = this.db): Promise<UserRow | undefined> {
    const r = await q.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && user(r);
  }

  async userByLogin(login: string, q: Q = this.db): Promise<UserRow | undefined> {
    const r = await q.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
    return r && user(r);
  }

  async userByWorkId(workId: string, q: Q = this.db): Promise<UserRow | undefined> {
    const r = await q.selectFrom('users').selectAll().where('work_id', '=', workId).executeTakeFirst();
    return r && user(r);
  }

  async usersByIds(ids: number[], q: Q = this.db): Promise<UserRow[]> {
    if (!ids.length) return [];
    return (await q.selectFrom('users').selectAll().where('id', 'in', ids).execute()).map(user);
  }

  /**
   * Users whose organisation lies under one of these paths ('' = everyone, including those with none).
   * Paths are built from ids ('/1/4/'), so they hold no LIKE wildcards to escape.
   */
  async listUsers(scopes: string[], q: Q = this.db): Promise<UserRow[]> {
    if (!scopes.length) return [];
    let query = q.selectFrom('users').leftJoin('organisations', 'organisations.id', 'users.organisation_id').selectAll('users');
    if (!scopes.includes('')) {
      query = query.where((eb) => eb.or(scopes.map((s) => eb('organisations.path', 'like', `${s}%`))));
    }
    return (await query.orderBy('users.id').execute()).map(user);
  }

  /** The grants in force; with `includeAwaiting`, also those still waiting for a second administrator. */
  async grantsOf(userId: number, q: Q = this.db, includeAwaiting = false): Promise<GrantRow[]> {
    let query = q
      .selectFrom('role_grants')
      .leftJoin('organisations', 'organisations.id', 'role_grants.organisation_id')
      .select(['role_grants.id', 'role_grants.user_id', 'role_grants.role', 'role_grants.organisation_id', 'role_grants.created_at', 'role_grants.granted_by', 'role_grants.awaiting_confirmation', 'organisations.path'])
      .where('role_grants.user_id', '=', userId);
    if (!includeAwaiting) query = query.where('role_grants.awaiting_confirmation', '=', 0);
    const rows = await query.orderBy('role_grants.id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      userId: Number(r.user_id),
      role: r.role,
      organisationId: num(r.organisation_id),
      path: r.path ?? '',
      createdAt: Number(r.created_at),
      grantedBy: num(r.granted_by),
      awaitingConfirmation: Number(r.awaiting_confirmation) === 1,
    }));
  }

  async insertGrant(g: { userId: number; role: string; organisationId: number | null; grantedBy: number | null; at: number; awaitingConfirmation?: boolean }, q: Q = this.db): Promise<number> {
    const r = await q
      .insertInto('role_grants')
      .values({ user_id: g.userId, role: g.role, organisation_id: g.organisationId, granted_by: g.grantedBy, created_at: g.at, awaiting_confirmation: g.awaitingConfirmation ? 1 : 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async confirmGrant(id: number, q: Q = this.db): Promise<void> {
    await q.updateTable('role_grants').set({ awaiting_confirmation: 0 }).where('id', '=', id).execute();
  }

  async grantById(id: number, q: Q = this.db): Promise<GrantRow | undefined> {
    const r = await q.selectFrom('role_grants').select('user_id').where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return (await this.grantsOf(Number(r.user_id), q, true)).find((g) => g.id === id);
  }

  async deleteGrant(id: number, q: Q = this.db): Promise<void> {
    await q.deleteFrom('role_grants').where('id', '=', id).execute();
  }

  // ---- sessions ----

  async insertSession(s: SessionRow, q: Q = this.db): Promise<void> {
    await q.insertInto('sessions').values(s).execute();
  }

  async session(id: string, q: Q = this.db): Promise<SessionRow | undefined> {
    const r = await q.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { ...r, user_id: Number(r.user_id), created_at: Number(r.created_at), last_seen_at: Number(r.last_seen_at), expires_at: Number(r.expires_at), revoked_at: num(r.revoked_at) };
  }

  async touchSession(id: string, at: number, q: Q = this.db): Promise<void> {
    await q.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async setSessionStage(id: string, stage: SessionStage, q: Q = this.db): Promise<void> {
    await q.updateTable('sessions').set({ stage }).where('id', '=', id).execute();
  }

  async revokeSession(id: string, at: number, q: Q = this.db): Promise<void> {
    await q.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  /** Revokes every live session of a user (but `except`); returns their ids. */
  async revokeSessionsOf(userId: number, at: number, q: Q = this.db, except?: string): Promise<string[]> {
    let rows = await q.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    if (except !== undefined) rows = rows.filter((r) => r.id !== except);
    if (rows.length) await q.updateTable('sessions').set({ revoked_at: at }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => r.id);
  }

  // ---- API tokens ----

  async insertToken(t: Omit<ApiTokenRow, 'id'>, q: Q = this.db): Promise<number> {
    const r = await q.insertInto('api_tokens').values(t).returning('id').executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async tokenByHash(hash: string, q: Q = this.db): Promise<ApiTokenRow | undefined> {
    const r = await q.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    return r && token(r);
  }

  async tokenById(id: number, q: Q = this.db): Promise<ApiTokenRow | undefined> {
    const r = await q.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return r && token(r);
  }

  async tokensOf(userId: number, q: Q = this.db): Promise<ApiTokenRow[]> {
    return (await q.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(token);
  }

  /** Sessions and API tokens revoked at or after `since` (epoch ms): for other processes' streams. */
  async revokedSince(since: number): Promise<{ sessions: string[]; tokens: number[] }> {
    const sessions = await this.db.selectFrom('sessions').select('id').where('revoked_at', '>=', since).execute();
    const tokens = await this.db.selectFrom('api_tokens').select('id').where('revoked_at', '>=', since).execute();
    return { sessions: sessions.map((r) => r.id), tokens: tokens.map((r) => Number(r.id)) };
  }

  async revokeToken(id: number, at: number, q: Q = this.db): Promise<void> {
    await q.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async revokeTokensOf(userId: number, at: number, q: Q = this.db): Promise<number[]> {
    const rows = await q.selectFrom('api_tokens').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    if (rows.length) await q.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    return rows.map((r) => Number(r.id));
  }

  async touchToken(id: number, at: number, q: Q = this.db): Promise<void> {
    await q.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  // ---- failed sign-ins ----

  /** Times of failed sign-ins under a name since `since`; with `address`, only those from it. */
  async loginFailures(login: string, since: number, q: Q = this.db, address?: string | null): Promise<number[]> {
    let query = q.selectFrom('login_failures').select('at').where('login', '=', login).where('at', '>=', since);
    if (address !== undefined) query = address === null ? query.where('source_address', 'is', null) : query.where('source_address', '=', address);
    return (await query.execute()).map((r) => Number(r.at));
  }

  /** Times of failed sign-ins from one address, under any name, since `since`. */
  async addressFailures(address: string, since: number, q: Q = this.db): Promise<number[]> {
    const rows = await q.selectFrom('login_failures').select('at').where('source_address', '=', address).where('at', '>=', since).execute();
    return rows.map((r) => Number(r.at));
  }

  async addLoginFailure(login: string, at: number, q: Q = this.db, address: string | null = null): Promise<void> {
    await q.insertInto('login_failures').values({ login, at, source_address: address }).execute();
  }

  /** Forgets a name's failures: all of them, or with `address` only those from there. */
  async clearLoginFailures(login: string, q: Q = this.db, address?: string | null): Promise<void> {
    let query = q.deleteFrom('login_failures').where('login', '=', login);
    if (address !== undefined) query = address === null ? query.where('source_address', 'is', null) : query.where('source_address', '=', address);
    await query.execute();
  }
}

function token(r: ApiTokenRow): ApiTokenRow {
  return { ...r, id: Number(r.id), user_id: Number(r.user_id), organisation_id: num(r.organisation_id), expires_at: Number(r.expires_at), revoked_at: num(r.revoked_at), last_used_at: num(r.last_used_at), created_at: Number(r.created_at) };
}
