// The one door to footage for the media and export code: `check` decides and registers every
// use (R5.2) — by role within one's own scope, or under an approved access request that covers
// exactly this camera, range, kind and time — and stream tokens carry that decision to media URLs.
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { AuditAction } from '../audit/entry.js';
import { Errors } from '../errors.js';
import type { Actor } from './actor.js';
import { coverageProblem, effectiveState, type FootageUse } from './access-request.js';
import type { AccessRequestService } from './access-request.service.js';
import { AccessErrors } from './errors.js';
import { can, hiddenRefusal } from './policy.js';
import type { Revocation, RevocationHub } from './revocation-hub.js';
import { markRecorded, type SecurityLog } from './security-log.js';
import { StreamTokenError, type StreamClaims, type StreamKind, type StreamTokenSigner } from './stream-token.js';
import { cameraSubject } from './subjects.js';

export interface FootageUseRequest {
  cameraId: number;
  /** Epoch ms; null for live. */
  from: number | null;
  to: number | null;
  kind: FootageUse;
  /** Use under this request only, even where a role would allow (a private person's viewing, CN799-21). */
  requestId?: number | null;
  /** Playback of the camera's device's own recording (GB/T 28181), not ours: the register says so. */
  source?: 'recording' | 'device';
}

export interface FootageDecision {
  /** `preview`: an approver watching a submitted request's range before deciding it. */
  basis: 'role' | 'request' | 'preview';
  requestId: number | null;
}

const ACTION_OF_USE: Record<FootageUse, AuditAction> = { live: 'view', playback: 'playback', copy: 'copy', retrieve: 'retrieve', release: 'release' };
const POLICY_OF_USE: Partial<Record<FootageUse, string>> = { live: 'view-live', playback: 'play-back' };

export class FootageAccess {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly requests: AccessRequestService,
    private readonly signer: StreamTokenSigner,
    private readonly hub: RevocationHub,
    private readonly clock: Clock,
  ) {}

  /** Allows and registers one use of footage, or registers the refusal and throws FORBIDDEN. */
  async check(actor: Actor, use: FootageUseRequest): Promise<FootageDecision> {
    const camera = await cameraSubject(this.repos, use.cameraId);
    const action = ACTION_OF_USE[use.kind];
    const now = this.clock.now();
    const entry = { action, cameraIds: [use.cameraId], from: use.kind === 'live' ? now : use.from, to: use.kind === 'live' ? now : use.to, ...(use.source === 'device' ? { target: `camera ${use.cameraId} device recording` } : {}) };
    const source = use.source === 'device' ? { source: 'device' } : {};
    const policy = POLICY_OF_USE[use.kind];
    if (policy && !use.requestId && can(actor, policy, camera)) {
      await this.log.record(actor, { ...entry, outcome: 'success', detail: { basis: 'role', ...source } });
      return { basis: 'role', requestId: null };
    }
    if (use.kind === 'playback' && use.requestId) {
      const preview = await this.preview(actor, use, now);
      if (preview) return preview;
    }
    const candidates = (await this.repos.accessRequests.usableFor(actor.userId, use.cameraId)).filter((r) => !use.requestId || r.id === use.requestId);
    const problems: string[] = [];
    for (const row of candidates) {
      const takesPart = row.requester_id === actor.userId || row.officers.some((o) => o.userId === actor.userId && o.confirmedAt !== null);
      const problem = takesPart ? coverageProblem({ kind: row.kind as never, state: row.state as never, cameraIds: row.camera_ids, from: row.range_from, to: row.range_to, validUntil: row.valid_until }, use, now) : 'you take no part in the request';
      if (problem) {
        problems.push(`request ${row.id}: ${problem}`);
        continue;
      }
      const r = await this.requests.load(row.id);
      // Copies and retrievals are done by the officers together (R5.3): the register names them all.
      const actors = (use.kind === 'copy' || use.kind === 'retrieve') && r.officers.length
        ? r.officers.map((o) => ({ userId: o.userId, workId: o.workId, name: null }))
        : [actor.auditActor];
      await this.log.transaction(async (trx) => {
        if (r.state === 'approved') await this.repos.accessRequests.update(r.id, { state: 'in_use', updated_at: now }, trx);
        await this.log.append(trx, actor, { ...this.requests.entryOf(r, action), ...entry, actors, outcome: 'success', detail: { basis: 'request', by: actor.userId, ...source } });
      });
      return { basis: 'request', requestId: r.id };
    }
    const reason = problems.length ? problems.join('; ') : `no approved access request of yours covers camera ${use.cameraId}`;
    return this.log.refuse(actor, { ...entry, reason }, Errors.forbidden(`${use.kind} of camera ${use.cameraId} refused: ${reason}`).withParams({ reason: 'footage-no-request', camera: use.cameraId }));
  }

  /**
   * An approver's preview: playback of a camera the submitted request names, inside its range, by
   * one who still has to decide it; registered like any viewing under the request. Null when the
   * request is not waiting for this actor (the ordinary rules then decide, and refuse).
   */
  private async preview(actor: Actor, use: FootageUseRequest, now: number): Promise<FootageDecision | null> {
    const r = await this.requests.load(use.requestId!).catch(() => null);
    if (!r || !this.requests.awaitsDecisionOf(actor, r, now)) return null;
    if (!r.camera_ids.includes(use.cameraId) || use.from === null || use.to === null || use.from < r.range_from || use.to > r.range_to) return null;
    await this.log.record(actor, { ...this.requests.entryOf(r, 'playback'), cameraIds: [use.cameraId], from: use.from, to: use.to, outcome: 'success', detail: { basis: 'preview', by: actor.userId } });
    return { basis: 'preview', requestId: r.id };
  }

  /**
   * Whether the actor may read a camera's timeline (recorded ranges, events): by the play-back
   * role, or as a party to an approved request naming the camera. Throws FORBIDDEN otherwise.
   */
  async mayReadTimeline(actor: Actor, cameraId: number): Promise<void> {
    const camera = await cameraSubject(this.repos, cameraId);
    if (can(actor, 'play-back', camera)) return;
    const now = this.clock.now();
    const usable = (await this.repos.accessRequests.usableFor(actor.userId, cameraId)).some(
      (r) => (r.requester_id === actor.userId || r.officers.some((o) => o.userId === actor.userId && o.confirmedAt !== null)) && effectiveState({ state: r.state as never, validUntil: r.valid_until }, now) !== 'expired',
    );
    if (usable) return;
    // About a camera one may not even see, the answer a nonexistent one gets (issue 14) — unless
    // one may ask for footage anywhere: an investigator names other units' cameras in requests.
    if (!can(actor, 'see', camera) && actor.scopes('footage:view').length === 0) throw hiddenRefusal(`camera ${cameraId} does not exist`);
    throw Errors.forbidden(`the timeline of camera ${cameraId} needs the play-back role or an approved access request naming it`).withParams({ reason: 'timeline-no-request', camera: cameraId });
  }

  /** A short-lived, single-use URL token for a stream the actor may open now (the use is registered here). */
  async issueStreamToken(actor: Actor, s: { cameraId: number; kind: StreamKind; from?: number | null; to?: number | null; requestId?: number | null; source?: 'recording' | 'device' }) {
    const holder = actor.sessionId ? `s:${actor.sessionId}` : actor.tokenId !== null ? `t:${actor.tokenId}` : null;
    if (!holder) throw Errors.unauthenticated();
    const decision = await this.check(actor, { cameraId: s.cameraId, kind: s.kind, from: s.from ?? null, to: s.to ?? null, requestId: s.requestId ?? null, ...(s.source ? { source: s.source } : {}) });
    const { token, claims } = this.signer.issue({ cameraId: s.cameraId, kind: s.kind, from: s.from ?? null, to: s.to ?? null, holder, userId: actor.userId, ...(s.kind === 'playback' && s.source === 'device' ? { source: 'device' as const } : {}) });
    return { token, expiresAt: claims.exp, decision };
  }

  /**
   * A token for a released (masked) file's URL. The release's use case decides and registers the
   * viewing; the token binds the camera and range of the release, the holder and a short expiry.
   */
  issueReleaseToken(actor: Actor, s: { cameraId: number; from: number; to: number }) {
    const holder = actor.sessionId ? `s:${actor.sessionId}` : actor.tokenId !== null ? `t:${actor.tokenId}` : null;
    if (!holder) throw Errors.unauthenticated();
    const { token, claims } = this.signer.issue({ cameraId: s.cameraId, kind: 'release', from: s.from, to: s.to, holder, userId: actor.userId });
    return { token, expiresAt: claims.exp };
  }

  /**
   * For the media routes: checks and consumes a stream token for this camera and kind, and that
   * its session or API token is still live. Refusals (forged, expired, replayed, revoked, another
   * camera) are registered. Subscribe with `onRevoked(claims, close)` for the stream's lifetime.
   */
  async verifyStreamToken(token: string, expect: { cameraId: number; kind: StreamKind; source?: 'device'; sourceAddress?: string | null }): Promise<StreamClaims> {
    let claims: StreamClaims | null = null;
    try {
      claims = this.signer.read(token);
      claims = this.signer.verify(token, expect);
      if (!(await this.holderLive(claims))) throw new StreamTokenError('revoked', 'the session or token it was issued to has ended');
      return claims;
    } catch (e) {
      if (!(e instanceof StreamTokenError)) throw e;
      const who = claims ? await this.repos.accounts.userById(claims.userId) : undefined;
      await this.log.record(null, {
        action: expect.kind === 'live' ? 'view' : expect.kind === 'release' ? 'release' : 'playback',
        actors: [who ? { userId: who.id, workId: who.work_id, name: who.login } : { userId: null, workId: null, name: null }],
        cameraIds: [expect.cameraId],
        outcome: 'refused',
        reason: `stream token ${e.reason}: ${e.message}`,
        sourceAddress: expect.sourceAddress ?? null,
        detail: { streamToken: e.reason },
      });
      // Registered just above: the API's safety net must not write it a second time.
      throw markRecorded(e.reason === 'source' ? AccessErrors.streamTokenSource(e.message) : AccessErrors.streamToken(e.message));
    }
  }

  onRevoked(claims: Pick<StreamClaims, 'holder' | 'userId'>, cb: (r: Revocation) => void): () => void {
    return this.hub.onRevoked(claims, cb);
  }

  private async holderLive(c: StreamClaims): Promise<boolean> {
    const now = this.clock.now();
    const user = await this.repos.accounts.userById(c.userId);
    if (!user || user.status !== 'active') return false;
    if (c.holder.startsWith('s:')) {
      const s = await this.repos.accounts.session(c.holder.slice(2));
      return !!s && s.user_id === c.userId && s.revoked_at === null && s.expires_at > now;
    }
    if (c.holder.startsWith('t:')) {
      const t = await this.repos.accounts.tokenById(Number(c.holder.slice(2)));
      return !!t && t.user_id === c.userId && t.revoked_at === null && t.expires_at > now;
    }
    return false;
  }
}
