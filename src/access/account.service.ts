// Signing in and out: passwords, lockout, the second factor, sessions and API tokens, each
// turned into an Actor for the request. Every sign-in, failed or not, is registered (R5.2).
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { SessionRow, SessionStage, UserRow } from '../db/account.repository.js';
import { Errors } from '../errors.js';
import { Actor, type Grant } from './actor.js';
import { AccessErrors } from './errors.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password.js';
import { isPermission, isRole, needsSecondFactor, type Permission } from './permissions.js';
import type { AnonymousRefusals } from './refusal-flood.js';
import type { RevocationHub } from './revocation-hub.js';
import { markRecorded, type SecurityLog } from './security-log.js';
import { signInWait, type SignInThrottlePolicy } from './sign-in-throttle.js';
import { API_TOKEN_PREFIX, csrfToken, newSecret, sameText, sha256Hex } from './tokens.js';
import { openSecret, sealSecret } from '../keys/secret-box.js';
import { base32Decode, base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp.js';

export interface SessionPolicy {
  ttlMs: number;
  idleMs: number;
}

/**
 * 'password' while the account must replace a password an administrator set, then 'enrol' until
 * a required second factor is set up; only those steps are open then.
 */
export type Stage = 'full' | 'enrol' | 'password';

export interface Authenticated {
  actor: Actor;
  stage: Stage;
}

export interface SignedIn extends Authenticated {
  /** Goes into the httpOnly cookie; never stored. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: number;
}

const TOUCH_EVERY_MS = 10_000;

function stageOf(user: UserRow, stored: SessionStage): Stage {
  return user.must_change_password ? 'password' : stored;
}
const ISSUER = 'Vigil';

export class AccountService {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly hub: RevocationHub,
    private readonly clock: Clock,
    private readonly csrfKey: Buffer,
    readonly sessions: SessionPolicy,
    private readonly throttle: SignInThrottlePolicy,
    /** AES-256-GCM key sealing TOTP secrets at rest (src/keys/secret-box.ts). */
    private readonly totpKey: Buffer,
    private readonly refusals: AnonymousRefusals,
  ) {}

  /** The enrolled second-factor secret (base32) in clear, for this server's own use; null if none. */
  async enrolledTotpSecret(userId: number): Promise<string | null> {
    const u = await this.repos.accounts.userById(userId);
    return u?.totp_secret ? openSecret(this.totpKey, u.id, u.totp_secret) : null;
  }

  /**
   * Every failure gets the same answer, whatever failed (unknown name, wrong password, a missing,
   * wrong or reused code, a disabled account) and each counts toward the delays, so nothing here
   * tells whether a name exists, a password was right or an account has a second factor.
   */
  async login(input: { login: string; password: string; totp?: string; sourceAddress: string | null }): Promise<SignedIn> {
    const accounts = this.repos.accounts;
    const now = this.clock.now();
    const login = input.login.trim().toLowerCase();
    const address = input.sourceAddress;
    const who = { userId: null, workId: null, name: login.slice(0, 200) };
    const since = now - this.throttle.windowMs;
    const wait = signInWait(
      await accounts.loginFailures(login, since, undefined, address),
      address === null ? [] : await accounts.addressFailures(address, since),
      now,
      this.throttle,
    );
    if (wait > 0) {
      const error = markRecorded(AccessErrors.signInThrottled(wait));
      await this.refusals.refuse('sign-in throttled', { action: 'login', outcome: 'refused', actors: [who], sourceAddress: address, reason: 'sign-in attempts too fast after failures from this address', detail: { retryAfterSeconds: error.retryAfterSeconds } });
      throw error;
    }
    const user = await accounts.userByLogin(login);
    const passwordOk = user ? await verifyPassword(user.password_hash, input.password) : (await verifyPassword(await DUMMY_HASH_PROMISE, input.password), false);
    const fail = async (reason: string): Promise<never> => {
      await this.log.transaction(async (trx) => {
        await accounts.addLoginFailure(login, now, trx, address);
        await this.log.append(trx, null, {
          action: 'login',
          outcome: 'failed',
          actors: [user ? { userId: user.id, workId: user.work_id, name: user.login } : who],
          sourceAddress: address,
          reason,
        });
      });
      throw markRecorded(AccessErrors.signInFailed());
    };
    if (!user || !passwordOk) return fail('wrong login name or password');
    if (user.status !== 'active') return fail('account disabled');
    const grants = await this.grants(user.id);
    let stage: SessionStage = 'full';
    let totpStep: number | null = null;
    if (user.totp_secret) {
      if (!input.totp) return fail('second-factor code missing');
      totpStep = matchTotp(base32Decode(openSecret(this.totpKey, user.id, user.totp_secret)), input.totp, now, user.totp_last_step);
      if (totpStep === null) return fail('wrong or reused second-factor code');
    } else if (needsSecondFactor(grants.map((g) => g.role))) {
      stage = 'enrol';
    }
    const sessionSecret = newSecret();
    const session: SessionRow = {
      id: sha256Hex(sessionSecret),
      user_id: user.id,
      stage,
      created_at: now,
      last_seen_at: now,
      expires_at: now + this.sessions.ttlMs,
      revoked_at: null,
      source_address: address,
    };
    const actor = this.actor(user, grants, { sessionId: session.id, sourceAddress: address });
    await this.log.transaction(async (trx) => {
      await accounts.clearLoginFailures(login, trx, address);
      if (totpStep !== null) await accounts.updateUser(user.id, { totp_last_step: totpStep }, trx);
      await accounts.insertSession(session, trx);
      await this.log.append(trx, actor, { action: 'login', outcome: 'success', detail: { secondFactor: totpStep !== null, stage } });
    });
    return { actor, stage: stageOf(user, stage), sessionSecret, csrfToken: this.csrfFor(sessionSecret), expiresAt: session.expires_at };
  }

  csrfFor(sessionSecret: string): string {
    return csrfToken(this.csrfKey, sessionSecret);
  }

  checkCsrf(sessionSecret: string, header: string | undefined): boolean {
    return typeof header === 'string' && sameText(header, this.csrfFor(sessionSecret));
  }

  /** The session behind a cookie value, if it is live: not revoked, not expired, not idle too long. */
  async fromSession(sessionSecret: string, sourceAddress: string | null): Promise<Authenticated | null> {
    const now = this.clock.now();
    const s = await this.repos.accounts.session(sha256Hex(sessionSecret));
    if (!s || s.revoked_at !== null || s.expires_at <= now || s.last_seen_at + this.sessions.idleMs <= now) return null;
    const user = await this.repos.accounts.userById(s.user_id);
    if (!user || user.status !== 'active') return null;
    if (now - s.last_seen_at >= TOUCH_EVERY_MS) await this.repos.accounts.touchSession(s.id, now);
    const grants = await this.grants(user.id);
    // A role needing a second factor granted after sign-in sends the session back to enrolment.
    const stored: SessionStage = s.stage === 'full' && !user.totp_secret && needsSecondFactor(grants.map((g) => g.role)) ? 'enrol' : s.stage;
    return { actor: this.actor(user, grants, { sessionId: s.id, sourceAddress }), stage: stageOf(user, stored) };
  }

  /** The actor behind an API token, limited to the token's permissions and subtree. */
  async fromApiToken(token: string, sourceAddress: string | null): Promise<Actor | null> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
    const now = this.clock.now();
    const t = await this.repos.accounts.tokenByHash(sha256Hex(token));
    if (!t || t.revoked_at !== null || t.expires_at <= now) return null;
    const user = await this.repos.accounts.userById(t.user_id);
    if (!user || user.status !== 'active') return null;
    let path = '';
    if (t.organisation_id !== null) {
      const org = await this.repos.organisations.get(t.organisation_id);
      if (!org) return null;
      path = org.path;
    }
    if (t.last_used_at === null || now - t.last_used_at >= TOUCH_EVERY_MS) await this.repos.accounts.touchToken(t.id, now);
    const permissions = (JSON.parse(t.permissions) as string[]).filter(isPermission);
    return this.actor(user, await this.grants(user.id), { tokenId: t.id, limit: { permissions, path }, sourceAddress });
  }

  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId) return;
    const sessionId = actor.sessionId;
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.revokeSession(sessionId, this.clock.now(), trx);
      await this.log.append(trx, actor, { action: 'logout', outcome: 'success' });
    });
    this.hub.revokeHolder(`s:${sessionId}`, 'signed out');
  }

  /** Starts enrolment: a new secret, shown once as an otpauth:// URI, confirmed by the first code. */
  async enrolTotp(actor: Actor): Promise<{ secret: string; uri: string }> {
    const secret = newTotpSecret();
    await this.repos.accounts.updateUser(actor.userId, { totp_pending_secret: sealSecret(this.totpKey, actor.userId, base32Encode(secret)), updated_at: this.clock.now() });
    return { secret: base32Encode(secret), uri: otpauthUri(ISSUER, actor.login, secret) };
  }

  async confirmTotp(actor: Actor, code: string): Promise<void> {
    const user = await this.repos.accounts.userById(actor.userId);
    if (!user?.totp_pending_secret) throw Errors.conflict('start enrolment first');
    const now = this.clock.now();
    const step = matchTotp(base32Decode(openSecret(this.totpKey, user.id, user.totp_pending_secret)), code, now, null);
    if (step === null) {
      return this.log.refuse(actor, { action: 'permission_change', target: `user:${actor.userId}`, reason: 'second-factor enrolment code wrong' }, Errors.validation('the code does not match; check the time on your phone and try again'));
    }
    await this.log.transaction(async (trx) => {
      await this.repos.accounts.updateUser(actor.userId, { totp_secret: user.totp_pending_secret, totp_pending_secret: null, totp_last_step: step, updated_at: now }, trx);
      if (actor.sessionId) await this.repos.accounts.setSessionStage(actor.sessionId, 'full', trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${actor.userId}`, detail: { change: 'totp-enrolled' } });
    });
  }

  /**
   * Changes one's own password. Every other session and every API token of the user ends with it
   * (a stolen one must not outlive the victim's reaction), and so do the streams they opened.
   */
  async changePassword(actor: Actor, current: string, next: string): Promise<void> {
    const user = await this.repos.accounts.userById(actor.userId);
    if (!user || !(await verifyPassword(user.password_hash, current))) {
      return this.log.refuse(actor, { action: 'permission_change', target: `user:${actor.userId}`, reason: 'password change with a wrong current password' }, Errors.forbidden('the current password is wrong').withParams({ reason: 'wrong-current-password' }));
    }
    if (next === current) throw Errors.validation('the new password must differ from the current one', [{ path: 'next', message: 'same as the current password' }]).withParams({ reason: 'password-unchanged' });
    const hash = await hashPassword(next);
    const now = this.clock.now();
    const ended = await this.log.transaction(async (trx) => {
      await this.repos.accounts.updateUser(actor.userId, { password_hash: hash, password_changed_at: now, must_change_password: 0, updated_at: now }, trx);
      const sessions = (await this.repos.accounts.revokeSessionsOf(actor.userId, now, trx, actor.sessionId ?? undefined));
      const tokens = await this.repos.accounts.revokeTokensOf(actor.userId, now, trx);
      await this.log.append(trx, actor, { action: 'permission_change', outcome: 'success', target: `user:${actor.userId}`, detail: { change: 'password', sessionsRevoked: sessions.length, tokensRevoked: tokens.length } });
      return { sessions, tokens };
    });
    for (const id of ended.sessions) this.hub.revokeHolder(`s:${id}`, 'password changed');
    for (const id of ended.tokens) this.hub.revokeHolder(`t:${id}`, 'password changed');
  }

  async grants(userId: number): Promise<Grant[]> {
    return (await this.repos.accounts.grantsOf(userId)).filter((g) => isRole(g.role)).map((g) => ({ id: g.id, role: g.role as Grant['role'], organisationId: g.organisationId, path: g.path }));
  }

  actor(user: UserRow, grants: Grant[], extra: { sessionId?: string; tokenId?: number; limit?: { permissions: Permission[]; path: string }; sourceAddress: string | null }): Actor {
    return new Actor({
      userId: user.id,
      login: user.login,
      displayName: user.display_name,
      workId: user.work_id,
      organisationId: user.organisation_id,
      grants,
      ...extra,
    });
  }
}
