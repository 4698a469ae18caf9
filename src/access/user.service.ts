// Managing people: accounts, role grants within organisations, and API tokens. Every change is
// registered in the same transaction (R5.2 "permission change"); taking something away also
// closes what it had opened, streams included, through the revocation hub.
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { UserRow, UserStatus } from '../db/account.repository.js';
import { Errors } from '../errors.js';
import { Actor } from './actor.js';
import { hashPassword, randomPassword } from './password.js';
import { isPermission, type Permission, type Role } from './permissions.js';
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
  grants: { id: number; role: string; organisationId: number | null }[];
  createdAt: number;
}

export interface NewUser {
  login: string;
  displayName: string;
  workId?: string | null;
  organisationId?: number | null;
  /** Generated (and returned once) when absent. */
  password?: string;
}

const MAX_TOKEN_DAYS = 366;

export class UserService {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly hub: RevocationHub,
    private readonly clock: Clock,
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
    if (await this.repos.accounts.userByLogin(login)) throw Errors.conflict(`login name "${login}" is taken`, [{ path: 'login', message: 'taken' }]);
    if (input.workId && (await this.repos.accounts.userByWorkId(input.workId))) throw Errors.conflict(`work ID ${input.workId} belongs to another account`, [{ path: 'workId', message: 'taken' }]);
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
    if (!scopes.length) await this.log.refuse(actor, { action: 'permission_change', target: 'users', reason: 'list users refused' }, Errors.forbidden('you may not list users'));
    return Promise.all((await this.repos.accounts.listUsers(scopes)).map((u) => this.view(u)));
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
    if (patch.workId && patch.workId !== user.work_id && (await this.repos.accounts.userByWorkId(patch.workId))) throw Errors.conflict(`work ID ${patch.workId} belongs to another account`);
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
      if (disabling) {
        await this.repos.accounts.revokeSessionsOf(id, now, trx);
        await this.repos.accounts.revokeTokensOf(id, now, trx);
      }
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${id}`, detail: { change: 'account-updated', fields: Object.keys(patch) } });
    });
    if (disabling || patch.organisationId !== undefined) this.hub.revokeUser(id, disabling ? 'account disabled' : 'organisation changed');
    return this.view(await this.load(id));
  }

  /** Sets a new password (generated when absent) and signs the user out everywhere. */
  async resetPassword(actor: Actor | null, id: number, password?: string): Promise<string | null> {
    const user = await this.load(id);
    if (actor) await this.authorize(actor, 'manage', await this.subject(user), `user:${id}`);
    const next = password ?? randomPassword();
    const hash = await hashPassword(next);
    const now = this.clock.now();
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.updateUser(id, { password_hash: hash, password_changed_at: now, updated_at: now }, trx);
      await this.repos.accounts.revokeSessionsOf(id, now, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${id}`, detail: { change: 'password-reset' } });
    });
    this.hub.revokeUser(id, 'password reset');
    return password ? null : next;
  }

  async grant(actor: Actor | null, userId: number, role: Role, organisationId: number | null): Promise<UserView> {
    const user = await this.load(userId);
    const org = await organisationSubject(this.repos, organisationId);
    if (actor) {
      await this.authorize(actor, 'manage', await this.subject(user), `user:${userId}`);
      await this.authorize(actor, 'grant-over', org, `user:${userId}`);
    }
    await this.log.transaction(async (trx) => {
      const id = await this.repos.accounts.insertGrant({ userId, role, organisationId, grantedBy: actor?.userId ?? null, at: this.clock.now() }, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${userId}`, detail: { change: 'role-granted', grantId: id, role, organisationId } });
    });
    return this.view(user);
  }

  async revokeGrant(actor: Actor | null, grantId: number): Promise<void> {
    const g = await this.repos.accounts.grantById(grantId);
    if (!g) throw Errors.notFound(`role grant ${grantId} does not exist`);
    if (actor) {
      await this.authorize(actor, 'manage', await this.subject(await this.load(g.userId)), `user:${g.userId}`);
      await this.authorize(actor, 'grant-over', { kind: 'Organisation', id: g.organisationId, path: g.path }, `user:${g.userId}`);
    }
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.deleteGrant(grantId, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${g.userId}`, detail: { change: 'role-revoked', grantId, role: g.role, organisationId: g.organisationId } });
    });
    // Streams re-check from scratch: the user may still watch what another role allows.
    this.hub.revokeUser(g.userId, `role ${g.role} revoked`);
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
    if (actor && actor.tokenId !== null) await this.log.refuse(actor, { action: 'permission_change', target: `user:${ownerId}`, reason: 'token created with a token' }, Errors.forbidden('API tokens cannot create API tokens'));
    if (actor && actor.userId !== ownerId) await this.log.refuse(actor, { action: 'permission_change', target: `user:${ownerId}`, reason: 'token for someone else' }, Errors.forbidden('you may create tokens only for yourself'));
    const ownerActor = await this.ownerActor(owner);
    const missing = input.permissions.filter((p) => !isPermission(p) || !ownerActor.can(p, org.path));
    if (missing.length || !input.permissions.length) {
      await this.log.refuse(actor, { action: 'permission_change', target: `user:${ownerId}`, reason: 'token wider than its owner' }, Errors.forbidden(`the owner does not hold ${missing.join(', ') || 'any permission'} over that organisation`));
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
    const grants = await this.repos.accounts.grantsOf(u.id);
    return {
      id: u.id,
      login: u.login,
      displayName: u.display_name,
      workId: u.work_id,
      organisationId: u.organisation_id,
      status: u.status,
      totpEnrolled: u.totp_secret !== null,
      grants: grants.map((g) => ({ id: g.id, role: g.role, organisationId: g.organisationId })),
      createdAt: u.created_at,
    };
  }
}
