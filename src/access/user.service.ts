// Managing people: accounts, role grants within organisations, and API tokens. Every change is
// registered in the same transaction (R5.2 "permission change"); taking something away also
// closes what it had opened, streams included, through the revocation hub.
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { UserRow, UserStatus } from '../db/account.repository.js';
import { Errors } from '../errors.js';
import { Actor } from './actor.js';
import { hashPassword, randomPassword } from './password.js';
import { AccessErrors } from './errors.js';
import { incompatibleWith, isPermission, type Permission, type Role } from './permissions.js';
import { authorize, type Subject } from './policy.js';
import type { RevocationHub } from './revocation-hub.js';
import type { SecurityLog } from './security-log.js';
import { organisationSubject } from './subjects.js';
import { uniqueViolation } from '../registry/organisation.service.js';
import { API_TOKEN_PREFIX, newSecret, sha256Hex } from './tokens.js';

export interface UserView {
  id: number;
  login: string;
  displayName: string;
  workId: string | null;
  organisationId: number | null;
  status: UserStatus;
  totpEnrolled: boolean;
  grants: { id: number; role: string; organisationId: number | null; awaitingConfirmation: boolean }[];
  createdAt: number;
}

export interface NewUser {
  login: string;
  displayName: string;
  workId?: string | null;
  organisationId?: number | null;
  /** Generated (and returned once) when absent. */
  password?: string;
  /**
   * The person must choose their own password before anything else. Default: when an
   * administrator (an actor) sets it; the platform's own accounts (first run, command line) not.
   */
  mustChangePassword?: boolean;
}

export interface UserPolicy {
  /** Roles an administrator cannot put in force alone on an account they created. */
  secondAdministratorRoles: readonly string[];
}

const MAX_TOKEN_DAYS = 366;

export class UserService {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly hub: RevocationHub,
    private readonly clock: Clock,
    private readonly policy: UserPolicy = { secondAdministratorRoles: [] },
  ) {}

  /** Authorizes or registers the refusal and throws. */
  async authorize(actor: Actor, action: string, subject: Subject, target: string): Promise<void> {
    try {
      authorize(actor, action, subject);
    } catch (e) {
      await this.log.refuse(actor, { action: 'permission_change', target, reason: `${action} refused` }, e as Error);
    }
  }

  /** Creates an account. `actor` null: the platform itself (first run, the command line). */
  async create(actor: Actor | null, input: NewUser): Promise<{ user: UserView; password: string | null }> {
    const org = await organisationSubject(this.repos, input.organisationId ?? null);
    if (actor) await this.authorize(actor, 'create-in', org, `organisation:${org.id ?? 'platform'}`);
    const password = input.password ?? randomPassword();
    const hash = await hashPassword(password);
    const now = this.clock.now();
    const login = input.login.trim().toLowerCase();
    if (!/^[a-z0-9._-]{2,64}$/.test(login)) throw Errors.validation('the login name is 2–64 letters, digits, dots, dashes or underscores', [{ path: 'login', message: 'not a valid login name' }]);
    if (await this.repos.accounts.userByLogin(login)) throw Errors.conflict(`login name "${login}" is taken`, [{ path: 'login', message: 'taken' }]).withParams({ reason: 'login-taken', login });
    if (input.workId && (await this.repos.accounts.userByWorkId(input.workId))) throw Errors.conflict(`work ID ${input.workId} belongs to another account`, [{ path: 'workId', message: 'taken' }]).withParams({ reason: 'work-id-taken', workId: input.workId });
    const user = await this.log.transaction(async (trx) => {
      const u = await this.repos.accounts.insertUser(
        {
          login,
          display_name: input.displayName,
          work_id: input.workId?.trim() || null,
          organisation_id: input.organisationId ?? null,
          status: 'active',
          password_hash: hash,
          password_changed_at: now,
          totp_secret: null,
          totp_pending_secret: null,
          totp_last_step: null,
          must_change_password: (input.mustChangePassword ?? actor !== null) ? 1 : 0,
          created_by: actor?.userId ?? null,
          created_at: now,
          updated_at: now,
        },
        trx,
      );
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${u.id}`, detail: { change: 'account-created', login } });
      return u;
    }).catch((e: unknown) => {
      // Two people creating the same login or work ID at once: the database decides.
      throw uniqueViolation(e, 'login or workId') ?? e;
    });
    return { user: await this.view(user), password: input.password ? null : password };
  }

  async list(actor: Actor): Promise<UserView[]> {
    const scopes = actor.scopes('users:manage');
    if (!scopes.length) await this.log.refuse(actor, { action: 'permission_change', target: 'users', reason: 'list users refused' }, Errors.forbidden('you may not list users').withParams({ reason: 'users-not-listable' }));
    return Promise.all((await this.repos.accounts.listUsers(scopes)).map((u) => this.view(u)));
  }

  /**
   * Role grants waiting for a second administrator that this one may confirm: within the people
   * they manage, granted by someone else, on someone else (confirmGrant() refuses the rest).
   */
  async awaitingConfirmationBy(actor: Actor): Promise<number[]> {
    const scopes = actor.scopes('users:manage');
    if (!scopes.length) return [];
    const out: number[] = [];
    for (const u of await this.repos.accounts.listUsers(scopes)) {
      if (u.id === actor.userId) continue;
      for (const g of await this.repos.accounts.grantsOf(u.id, undefined, true)) {
        if (g.awaitingConfirmation && g.grantedBy !== actor.userId && actor.can('users:manage', g.path)) out.push(g.id);
      }
    }
    return out;
  }

  async get(actor: Actor, id: number): Promise<UserView> {
    const user = await this.load(id);
    if (actor.userId !== id) await this.authorize(actor, 'list', await this.subject(user), `user:${id}`);
    return this.view(user);
  }

  async update(actor: Actor, id: number, patch: { displayName?: string; workId?: string | null; organisationId?: number | null; status?: UserStatus }): Promise<UserView> {
    const user = await this.load(id);
    await this.authorize(actor, 'manage', await this.subject(user), `user:${id}`);
    if (patch.organisationId !== undefined) await this.authorize(actor, 'create-in', await organisationSubject(this.repos, patch.organisationId), `user:${id}`);
    if (patch.workId && patch.workId !== user.work_id && (await this.repos.accounts.userByWorkId(patch.workId))) throw Errors.conflict(`work ID ${patch.workId} belongs to another account`).withParams({ reason: 'work-id-taken', workId: patch.workId });
    const now = this.clock.now();
    const disabling = patch.status === 'disabled' && user.status !== 'disabled';
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.updateUser(
        id,
        {
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.workId !== undefined ? { work_id: patch.workId?.trim() || null } : {}),
          ...(patch.organisationId !== undefined ? { organisation_id: patch.organisationId } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          updated_at: now,
        },
        trx,
      );
      if (disabling) await this.endEverything(id, now, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${id}`, detail: { change: 'account-updated', fields: Object.keys(patch) } });
    });
    if (disabling || patch.organisationId !== undefined) this.hub.revokeUser(id, disabling ? 'account disabled' : 'organisation changed');
    return this.view(await this.load(id));
  }

  /**
   * Sets a new password (generated when absent) and ends every session and API token of the
   * user; set by an administrator, it must be replaced by the person at their next sign-in.
   */
  async resetPassword(actor: Actor | null, id: number, password?: string): Promise<string | null> {
    const user = await this.load(id);
    if (actor) await this.authorize(actor, 'manage', await this.subject(user), `user:${id}`);
    const next = password ?? randomPassword();
    const hash = await hashPassword(next);
    const now = this.clock.now();
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.updateUser(id, { password_hash: hash, password_changed_at: now, must_change_password: actor?.userId === id ? 0 : 1, updated_at: now }, trx);
      await this.endEverything(id, now, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${id}`, detail: { change: 'password-reset' } });
    });
    this.hub.revokeUser(id, 'password reset');
    return password ? null : next;
  }

  /** Every session and API token of a user ends (their streams close through the hub after commit). */
  private async endEverything(userId: number, now: number, trx: Parameters<Parameters<SecurityLog['transaction']>[0]>[0]): Promise<void> {
    await this.repos.accounts.revokeSessionsOf(userId, now, trx);
    await this.repos.accounts.revokeTokensOf(userId, now, trx);
  }

  /**
   * Grants a role within an organisation. Separation of duties: nobody grants themselves; roles
   * that may not be held together (INCOMPATIBLE_ROLES) are refused; and a powerful role granted by
   * the administrator who created the account waits for a second administrator to confirm it.
   */
  async grant(actor: Actor | null, userId: number, role: Role, organisationId: number | null): Promise<UserView> {
    const user = await this.load(userId);
    const org = await organisationSubject(this.repos, organisationId);
    const target = `user:${userId}`;
    if (actor) {
      if (actor.userId === userId) await this.log.refuse(actor, { action: 'permission_change', target, reason: `self-grant of ${role} refused` }, Errors.forbidden('you may not grant roles to yourself; ask another administrator').withParams({ reason: 'self-grant' }));
      await this.authorize(actor, 'manage', await this.subject(user), target);
      await this.authorize(actor, 'grant-over', org, target);
    }
    const held = (await this.repos.accounts.grantsOf(userId, undefined, true)).map((g) => g.role);
    const clash = incompatibleWith(role, held);
    if (clash) {
      await this.log.refuse(actor, { action: 'permission_change', target, reason: `${role} with ${clash} refused (separation of duties)` },
        AccessErrors.dutiesIncompatible(`${user.login} holds ${clash}, which may not be held together with ${role}: whoever audits the watchers may not watch, investigate or administer`).withParams({ reason: 'duties-incompatible', login: user.login, held: clash, role }));
    }
    const awaiting = actor !== null && user.created_by === actor.userId && this.policy.secondAdministratorRoles.includes(role);
    await this.log.transaction(async (trx) => {
      const id = await this.repos.accounts.insertGrant({ userId, role, organisationId, grantedBy: actor?.userId ?? null, at: this.clock.now(), awaitingConfirmation: awaiting }, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target, detail: { change: awaiting ? 'role-granted-awaiting-confirmation' : 'role-granted', grantId: id, role, organisationId } });
    });
    return this.view(user);
  }

  /** A second administrator puts in force a grant made by the one who created the account. */
  async confirmGrant(actor: Actor, grantId: number): Promise<UserView> {
    const g = await this.repos.accounts.grantById(grantId);
    if (!g) throw Errors.notFound(`role grant ${grantId} does not exist`);
    const user = await this.load(g.userId);
    const target = `user:${g.userId}`;
    await this.authorize(actor, 'manage', await this.subject(user), target);
    await this.authorize(actor, 'grant-over', { kind: 'Organisation', id: g.organisationId, path: g.path }, target);
    if (!g.awaitingConfirmation) throw Errors.conflict(`role grant ${grantId} is already in force`).withParams({ reason: 'grant-in-force' });
    if (actor.userId === g.grantedBy || actor.userId === g.userId) {
      await this.log.refuse(actor, { action: 'permission_change', target, reason: 'grant confirmed by its own granter or grantee' }, Errors.forbidden('a second administrator, neither the one who granted it nor its holder, must confirm this grant').withParams({ reason: 'second-administrator' }));
    }
    const clash = incompatibleWith(g.role, (await this.repos.accounts.grantsOf(g.userId)).map((x) => x.role));
    if (clash) await this.log.refuse(actor, { action: 'permission_change', target, reason: `${g.role} with ${clash} refused (separation of duties)` }, AccessErrors.dutiesIncompatible(`${user.login} holds ${clash}, which may not be held together with ${g.role}`).withParams({ reason: 'duties-incompatible', login: user.login, held: clash, role: g.role }));
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.confirmGrant(grantId, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target, detail: { change: 'role-grant-confirmed', grantId, role: g.role, organisationId: g.organisationId, grantedBy: g.grantedBy } });
    });
    return this.view(user);
  }

  /** Takes a role away: every session and API token of the person ends, and their streams close. */
  async revokeGrant(actor: Actor | null, grantId: number): Promise<void> {
    const g = await this.repos.accounts.grantById(grantId);
    if (!g) throw Errors.notFound(`role grant ${grantId} does not exist`);
    if (actor) {
      await this.authorize(actor, 'manage', await this.subject(await this.load(g.userId)), `user:${g.userId}`);
      await this.authorize(actor, 'grant-over', { kind: 'Organisation', id: g.organisationId, path: g.path }, `user:${g.userId}`);
    }
    const now = this.clock.now();
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.deleteGrant(grantId, trx);
      if (!g.awaitingConfirmation) await this.endEverything(g.userId, now, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${g.userId}`, detail: { change: 'role-revoked', grantId, role: g.role, organisationId: g.organisationId } });
    });
    if (!g.awaitingConfirmation) this.hub.revokeUser(g.userId, `role ${g.role} revoked`);
  }

  /** Revokes every session of a user (signing them out everywhere). */
  async revokeSessions(actor: Actor, userId: number): Promise<number> {
    const user = await this.load(userId);
    if (actor.userId !== userId) await this.authorize(actor, 'manage', await this.subject(user), `user:${userId}`);
    const ids = await this.log.transaction(async (trx) => {
      const revoked = await this.repos.accounts.revokeSessionsOf(userId, this.clock.now(), trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${userId}`, detail: { change: 'sessions-revoked', count: revoked.length } });
      return revoked;
    });
    for (const id of ids) this.hub.revokeHolder(`s:${id}`, 'session revoked');
    return ids.length;
  }

  /**
   * An API token for a machine client, owned by `owner`: only permissions the owner holds over
   * the token's organisation, for a limited time. The secret is returned once and stored hashed.
   */
  async createToken(actor: Actor | null, ownerId: number, input: { name: string; permissions: Permission[]; organisationId: number | null; expiresInDays: number }) {
    const owner = await this.load(ownerId);
    const org = await organisationSubject(this.repos, input.organisationId);
    if (actor && actor.tokenId !== null) await this.log.refuse(actor, { action: 'permission_change', target: `user:${ownerId}`, reason: 'token created with a token' }, Errors.forbidden('API tokens cannot create API tokens').withParams({ reason: 'token-by-token' }));
    if (actor && actor.userId !== ownerId) await this.log.refuse(actor, { action: 'permission_change', target: `user:${ownerId}`, reason: 'token for someone else' }, Errors.forbidden('you may create tokens only for yourself').withParams({ reason: 'token-for-other' }));
    const ownerActor = await this.ownerActor(owner);
    const missing = input.permissions.filter((p) => !isPermission(p) || !ownerActor.can(p, org.path));
    if (missing.length || !input.permissions.length) {
      await this.log.refuse(actor, { action: 'permission_change', target: `user:${ownerId}`, reason: 'token wider than its owner' }, Errors.forbidden(`the owner does not hold ${missing.join(', ') || 'any permission'} over that organisation`).withParams({ reason: 'token-wider', permissions: missing.join(',') }));
    }
    if (!(input.expiresInDays > 0 && input.expiresInDays <= MAX_TOKEN_DAYS)) throw Errors.validation(`a token lasts 1–${MAX_TOKEN_DAYS} days`);
    const secret = `${API_TOKEN_PREFIX}${newSecret()}`;
    const now = this.clock.now();
    const expiresAt = now + Math.round(input.expiresInDays * 86_400_000);
    const id = await this.log.transaction(async (trx) => {
      const tid = await this.repos.accounts.insertToken(
        { user_id: ownerId, name: input.name, token_hash: sha256Hex(secret), permissions: JSON.stringify([...new Set(input.permissions)]), organisation_id: input.organisationId, expires_at: expiresAt, revoked_at: null, last_used_at: null, created_at: now },
        trx,
      );
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${ownerId}`, detail: { change: 'token-created', tokenId: tid, permissions: input.permissions, organisationId: input.organisationId } });
      return tid;
    });
    return { id, token: secret, expiresAt };
  }

  async listTokens(actor: Actor) {
    return (await this.repos.accounts.tokensOf(actor.userId)).map((t) => ({
      id: t.id,
      name: t.name,
      permissions: JSON.parse(t.permissions) as string[],
      organisationId: t.organisation_id,
      expiresAt: t.expires_at,
      revokedAt: t.revoked_at,
      lastUsedAt: t.last_used_at,
      createdAt: t.created_at,
    }));
  }

  async revokeToken(actor: Actor | null, tokenId: number): Promise<void> {
    const t = await this.repos.accounts.tokenById(tokenId);
    if (!t) throw Errors.notFound(`API token ${tokenId} does not exist`);
    if (actor && actor.userId !== t.user_id) await this.authorize(actor, 'manage', await this.subject(await this.load(t.user_id)), `user:${t.user_id}`);
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.revokeToken(tokenId, this.clock.now(), trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${t.user_id}`, detail: { change: 'token-revoked', tokenId } });
    });
    this.hub.revokeHolder(`t:${tokenId}`, 'API token revoked');
  }

  private async ownerActor(owner: UserRow) {
    const grants = (await this.repos.accounts.grantsOf(owner.id)).map((g) => ({ id: g.id, role: g.role as Role, organisationId: g.organisationId, path: g.path }));
    return new Actor({ userId: owner.id, login: owner.login, displayName: owner.display_name, workId: owner.work_id, organisationId: owner.organisation_id, grants });
  }

  private async load(id: number): Promise<UserRow> {
    const u = await this.repos.accounts.userById(id);
    if (!u) throw Errors.notFound(`user ${id} does not exist`);
    return u;
  }

  private async subject(user: UserRow): Promise<Subject> {
    const org = user.organisation_id === null ? null : await this.repos.organisations.get(user.organisation_id);
    return { kind: 'User', id: user.id, path: org?.path ?? '' };
  }

  private async view(u: UserRow): Promise<UserView> {
    const grants = await this.repos.accounts.grantsOf(u.id, undefined, true);
    return {
      id: u.id,
      login: u.login,
      displayName: u.display_name,
      workId: u.work_id,
      organisationId: u.organisation_id,
      status: u.status,
      totpEnrolled: u.totp_secret !== null,
      grants: grants.map((g) => ({ id: g.id, role: g.role, organisationId: g.organisationId, awaitingConfirmation: g.awaitingConfirmation })),
      createdAt: u.created_at,
    };
  }
}
