// Use cases of shares (共享, HRB-20, CN-8, HB-14, AH-5, R2.2): granted by someone with share:grant
// over the organisation whose cameras go out, for a span, under an approval document; revoked at
// once. Everything that goes out under a share — a catalog answer, a stream, a download — passes
// `authorise` or `camerasFor` here and is registered with the recipient as the destination (去向),
// so "who got which footage" is answerable from the register alone. Refusals are registered once.
import { EventEmitter } from 'node:events';
import type { Actor } from '../access/actor.js';
import { within } from '../access/actor.js';
import { authorize, can } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import { cameraSubjects } from '../access/subjects.js';
import type { AuditActor } from '../audit/entry.js';
import type { Repositories } from '../db/repositories.js';
import type { ShareRecord } from '../db/share.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Setting, ShareAuthority } from '../domain/jurisdiction-profile.js';
import { Errors, isVigilError, RateLimitedError } from '../errors.js';
import './share.policy.js';
import { ACTION_OF_RIGHT, decide, describeRecipient, shareState, type Recipient, type RecipientKind, type ShareRight, type ShareState } from './share.js';

export const SHARE_TEXT_MAX = 500;
const SIP_ID = /^\d{20}$/;

export interface ShareGrant {
  organisationId: number;
  recipient: Recipient;
  /** How the recipient is named (an upper platform's name); defaults from the recipient. */
  recipientName?: string;
  rights: ShareRight[];
  cameraIds: number[];
  groupIds: number[];
  validFrom: number;
  validTo: number;
  purpose: string;
  /** The approval document's number and title (审批文书). */
  approvalDocument: string;
}

export type ShareView = ShareRecord & { state: ShareState };

export interface ShareEvents {
  /** A share ended by revocation: open streams under it close, subscribers hear DEL. */
  revoked: [share: ShareRecord];
  granted: [share: ShareRecord];
}

/** How the register names a recipient platform or client acting on its own. */
export function recipientActor(r: Recipient, name: string): AuditActor {
  return { userId: r.kind === 'api_client' ? Number(r.ref) : null, workId: null, name: describeRecipient(r.kind, name) };
}

export class ShareService extends EventEmitter<ShareEvents> {
  constructor(private readonly d: {
    repos: Repositories;
    log: SecurityLog;
    clock: Clock;
    /** Who the jurisdiction profile governing an organisation names to grant shares (data, not code). */
    grantAuthority?: (organisationId: number) => Promise<Setting<ShareAuthority>>;
  }) {
    super();
    // Every cascade open in the process listens (the role's, and one an emergency connection): no fixed few.
    this.setMaxListeners(0);
  }

  async grant(actor: Actor, g: ShareGrant): Promise<ShareView> {
    const { repos, log } = this.d;
    const org = await repos.organisations.get(g.organisationId);
    if (!org) throw Errors.validation('the sharing organisation does not exist', [{ path: 'organisationId', message: `organisation ${g.organisationId} does not exist` }]);
    const cameraIds = [...new Set(g.cameraIds)];
    const groupIds = [...new Set(g.groupIds)];
    const base = { action: 'permission_change' as const, cameraIds, from: g.validFrom, to: g.validTo, purpose: g.purpose, target: `share of organisation ${org.id}` };
    const subject = { kind: 'Organisation' as const, id: org.id, path: org.path };
    try {
      authorize(actor, 'grant-shares', subject);
    } catch (e) {
      await log.refuse(actor, base, e as Error);
    }
    // The jurisdiction's text may name who shares (HB-14: the county-level police organ).
    const authority = await this.d.grantAuthority?.(org.id);
    if (authority?.value === 'county-police' && !actor.hasRole('supervisor', org.path)) {
      const why = `under ${authority.article} only the county-level police organ may grant shares of organisation ${org.id}: a supervisor over it`;
      await log.refuse(actor, { ...base, reason: why }, Errors.forbidden(why, [], authority.article ? [authority.article] : []).withParams({ rule: 'share-authority', reason: 'share-authority' }));
    }
    const problems = checkGrant(g, this.d.clock.now());
    if (problems.length) throw Errors.validation('the share is not valid', problems);
    const cameras = await repos.cameras.getMany(cameraIds);
    const missing = cameraIds.filter((id) => !cameras.some((c) => c.id === id));
    if (missing.length) throw Errors.validation('unknown cameras', [{ path: 'cameraIds', message: `camera(s) ${missing.join(', ')} do not exist` }]);
    for (const gid of groupIds) if (!(await repos.cameraGroups.get(gid))) throw Errors.validation('unknown group', [{ path: 'groupIds', message: `group ${gid} does not exist` }]);
    // Every camera, named or in a named group, must lie under the organisation and in the granter's reach.
    const members = await repos.shares.groupMembers(groupIds);
    const all = await repos.cameras.getMany([...cameraIds, ...members]);
    const subjects = await cameraSubjects(repos, all);
    const outside = all.filter((c) => !subjects.get(c.id)!.paths.some((p) => within(p, org.path)) || !can(actor, 'share', subjects.get(c.id)!)).map((c) => c.id);
    if (outside.length) {
      await log.refuse(actor, { ...base, reason: `camera(s) ${outside.join(', ')} are outside the organisation or the granter's authority` }, Errors.forbidden(`you may not share camera(s) ${outside.join(', ')}: they are outside organisation ${org.id} or your authority to share`).withParams({ rule: 'share-scope', reason: 'share-outside-scope', cameraIds: outside.join(',') }));
    }
    const recipientName = await this.recipientName(g, org.id);
    const now = this.d.clock.now();
    const record = { organisationId: org.id, recipientKind: g.recipient.kind, recipientRef: g.recipient.ref, recipientName, rights: [...new Set(g.rights)], purpose: g.purpose.trim(), approvalDocument: g.approvalDocument.trim(), validFrom: g.validFrom, validTo: g.validTo, grantedBy: actor.userId, grantedAt: now, cameraIds, groupIds };
    const id = await log.transaction(async (trx) => {
      const id = await repos.shares.insert(record, trx);
      await log.append(trx, actor, {
        ...base,
        target: `share:${id} granted`,
        destination: describeRecipient(g.recipient.kind, recipientName),
        outcome: 'success',
        detail: { share: id, recipient: g.recipient, rights: record.rights, groupIds, approvalDocument: record.approvalDocument, organisationId: org.id },
        organisationIds: [org.id],
      });
      return id;
    });
    const share = (await repos.shares.get(id))!;
    this.emit('granted', share);
    return this.view(share);
  }

  async revoke(actor: Actor, id: number, reason: string): Promise<ShareView> {
    const { repos, log } = this.d;
    const share = await this.load(actor, id);
    const org = (await repos.organisations.get(share.organisationId))!;
    const entry = { action: 'permission_change' as const, cameraIds: share.cameraIds, target: `share:${id} revoked`, destination: describeRecipient(share.recipientKind as RecipientKind, share.recipientName) };
    try {
      authorize(actor, 'grant-shares', { kind: 'Organisation', id: org.id, path: org.path });
    } catch (e) {
      await log.refuse(actor, entry, e as Error);
    }
    if (!reason.trim()) throw Errors.validation('a revocation needs a reason', [{ path: 'reason', message: 'empty' }]);
    const now = this.d.clock.now();
    await log.transaction(async (trx) => {
      if (!(await repos.shares.revoke(id, actor.userId, now, reason.trim(), trx))) throw Errors.conflict(`share ${id} is already revoked`);
      await log.append(trx, actor, { ...entry, outcome: 'success', reason: reason.trim(), detail: { share: id }, organisationIds: [org.id] });
    });
    const revoked = (await repos.shares.get(id))!;
    this.emit('revoked', revoked);
    return this.view(revoked);
  }

  async get(actor: Actor, id: number): Promise<ShareView> {
    return this.view(await this.load(actor, id));
  }

  /** Shares of the organisations the actor may read shares of, newest first. */
  async list(actor: Actor, f: { recipientKind?: RecipientKind; limit: number }): Promise<ShareView[]> {
    const rows = await this.d.repos.shares.list({ ...(f.recipientKind ? { recipientKind: f.recipientKind } : {}), limit: 5000 });
    const orgs = new Map((await this.d.repos.organisations.getMany([...new Set(rows.map((r) => r.organisationId))])).map((o) => [o.id, o]));
    return rows
      .filter((r) => {
        const o = orgs.get(r.organisationId);
        return o && can(actor, 'read-shares', { kind: 'Organisation', id: o.id, path: o.path });
      })
      .slice(0, f.limit)
      .map((r) => this.view(r));
  }

  /** The cameras a recipient may have `right` on now: its active shares' cameras and their groups' members under the sharing organisation. */
  async camerasFor(recipient: Recipient, right: ShareRight): Promise<number[]> {
    const shares = await this.resolved(recipient);
    const now = this.d.clock.now();
    const out = new Set<number>();
    for (const s of shares) if (shareState(s.share, now) === 'active' && s.share.rights.includes(right)) for (const c of s.cameraIds) out.add(c);
    return [...out].sort((a, b) => a - b);
  }

  /**
   * Lets a recipient have `right` on a camera under one of its shares, or registers the refusal
   * (with the nearest miss as the reason) and throws FORBIDDEN.
   */
  async authorise(recipient: Recipient, cameraId: number, right: ShareRight, ctx: { sourceAddress?: string | null; target?: string } = {}): Promise<ShareRecord> {
    const verdict = decide(await this.resolved(recipient), cameraId, right, this.d.clock.now());
    if (verdict.ok) return verdict.share;
    const name = await this.nameOf(recipient);
    return this.d.log.refuse(null, {
      action: ACTION_OF_RIGHT[right],
      actors: [recipientActor(recipient, name)],
      cameraIds: [cameraId],
      destination: describeRecipient(recipient.kind, name),
      target: ctx.target ?? `${right} under a share`,
      sourceAddress: ctx.sourceAddress ?? null,
      reason: verdict.reason,
      detail: { recipient, right },
    }, Errors.forbidden(verdict.reason).withParams({ rule: 'share', reason: 'share-not-permitted', right }));
  }

  /** Registers one disclosure (a catalog answer, a stream's start or end, a download) with its destination. */
  async disclose(recipient: Recipient, d: { right: ShareRight; cameraIds: number[]; shareIds: number[]; target: string; from?: number | null; to?: number | null; sourceAddress?: string | null; detail?: Record<string, unknown> }): Promise<void> {
    const name = await this.nameOf(recipient);
    await this.d.log.record(null, {
      action: ACTION_OF_RIGHT[d.right],
      actors: [recipientActor(recipient, name)],
      cameraIds: d.cameraIds,
      from: d.from ?? null,
      to: d.to ?? null,
      destination: describeRecipient(recipient.kind, name),
      target: d.target,
      sourceAddress: d.sourceAddress ?? null,
      outcome: 'success',
      detail: { recipient, right: d.right, shares: d.shareIds, ...d.detail },
    });
  }

  /** Registers a request refused for what it is rather than what it asks (a replayed INVITE); never throws the refusal. */
  async refuseRequest(recipient: Recipient, r: { right: ShareRight; cameraIds: number[]; target: string; reason: string; sourceAddress: string; detail?: Record<string, unknown> }): Promise<void> {
    const name = await this.nameOf(recipient);
    await this.d.log.refuse(null, {
      action: ACTION_OF_RIGHT[r.right], actors: [recipientActor(recipient, name)], cameraIds: r.cameraIds, destination: describeRecipient(recipient.kind, name),
      target: r.target, sourceAddress: r.sourceAddress, reason: r.reason, detail: { recipient, right: r.right, ...r.detail },
    }, Errors.forbidden(r.reason).withParams({ rule: 'replay', reason: 'replayed-request' })).catch((e: unknown) => {
      if (!isVigilError(e) || e.code !== 'FORBIDDEN') throw e;
    });
  }

  /**
   * Registers one burst of SIP requests refused for their rate (a flood), once per burst, naming
   * the configured upper it came from when there is one, else the peer's address.
   */
  async registerFlood(b: { address: string; recipient: Recipient | undefined; refused: number; from: number; to: number }): Promise<void> {
    const name = b.recipient ? await this.nameOf(b.recipient) : `SIP peer ${b.address}`;
    const reason = `${b.refused} SIP request(s) over the rate limit refused with 503`;
    await this.d.log.refuse(null, {
      action: 'registry_view',
      actors: [b.recipient ? recipientActor(b.recipient, name) : { userId: null, workId: null, name }],
      ...(b.recipient ? { destination: describeRecipient(b.recipient.kind, name) } : {}),
      from: b.from,
      to: Math.max(b.from, b.to),
      target: 'requests to the upward SIP listener',
      sourceAddress: b.address,
      reason,
      detail: { refused: b.refused, ...(b.recipient ? { recipient: b.recipient } : {}) },
    }, new RateLimitedError(reason, 1000)).catch((e: unknown) => {
      if (!isVigilError(e) || e.code !== 'RATE_LIMITED') throw e;
    });
  }

  /** Ids of the recipient's active shares granting `right` (written beside a disclosure). */
  async activeShareIds(recipient: Recipient, right: ShareRight): Promise<number[]> {
    const now = this.d.clock.now();
    return (await this.d.repos.shares.activeFor(recipient.kind, recipient.ref, now)).filter((s) => s.rights.includes(right)).map((s) => s.id);
  }

  private async resolved(recipient: Recipient): Promise<{ share: ShareRecord; cameraIds: Set<number> }[]> {
    const { repos } = this.d;
    const shares = await repos.shares.list({ recipientKind: recipient.kind, recipientRef: recipient.ref, limit: 10_000 });
    const out: { share: ShareRecord; cameraIds: Set<number> }[] = [];
    for (const share of shares) {
      const ids = new Set(share.cameraIds);
      const members = (await repos.shares.groupMembers(share.groupIds)).filter((c) => !ids.has(c));
      if (members.length) {
        // A group may gain cameras after the grant: only those under the sharing organisation count.
        const org = await repos.organisations.get(share.organisationId);
        const subjects = await cameraSubjects(repos, await repos.cameras.getMany(members));
        for (const [id, s] of subjects) if (org && s.paths.some((p) => within(p, org.path))) ids.add(id);
      }
      out.push({ share, cameraIds: ids });
    }
    return out;
  }

  /** How the register names a recipient: the newest name a share gave it, else its ID. */
  private async nameOf(r: Recipient): Promise<string> {
    const shares = await this.d.repos.shares.list({ recipientKind: r.kind, recipientRef: r.ref, limit: 50 });
    return shares.find((s) => s.recipientName !== r.ref)?.recipientName ?? r.ref;
  }

  private async recipientName(g: ShareGrant, orgId: number): Promise<string> {
    const given = g.recipientName?.trim();
    const r = g.recipient;
    if (r.kind === 'platform') {
      if (!SIP_ID.test(r.ref)) throw Errors.validation('an upper platform is named by its 20-digit SIP ID', [{ path: 'recipient.ref', message: 'not 20 digits' }]);
      return given || r.ref;
    }
    if (!/^\d{1,15}$/.test(r.ref)) throw Errors.validation('the recipient is named by its id', [{ path: 'recipient.ref', message: 'not an id' }]);
    if (r.kind === 'organisation') {
      const o = await this.d.repos.organisations.get(Number(r.ref));
      if (!o) throw Errors.validation('the receiving department does not exist', [{ path: 'recipient.ref', message: `organisation ${r.ref} does not exist` }]);
      if (o.id === orgId) throw Errors.validation('an organisation does not share with itself', [{ path: 'recipient.ref', message: 'same organisation' }]);
      return given || o.name;
    }
    const u = await this.d.repos.accounts.userById(Number(r.ref));
    if (!u || u.status !== 'active') throw Errors.validation('the API client has no active account', [{ path: 'recipient.ref', message: `user ${r.ref} is not an active account` }]);
    return given || u.login;
  }

  private async load(actor: Actor, id: number): Promise<ShareRecord> {
    const share = await this.d.repos.shares.get(id);
    const org = share && (await this.d.repos.organisations.get(share.organisationId));
    // A share one may not read is answered as one that does not exist (and registered by the API's net).
    if (!share || !org || !can(actor, 'read-shares', { kind: 'Organisation', id: org.id, path: org.path })) {
      if (share && org) {
        await this.d.log.refuse(actor, { action: 'permission_change', cameraIds: share.cameraIds, target: `share:${id}` }, Errors.notFound(`share ${id} does not exist`));
      }
      throw Errors.notFound(`share ${id} does not exist`);
    }
    return share;
  }

  private view(s: ShareRecord): ShareView {
    return { ...s, state: shareState(s, this.d.clock.now()) };
  }
}

function checkGrant(g: ShareGrant, now: number): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (!g.rights.length) out.push({ path: 'rights', message: 'a share grants at least one right' });
  if (!g.cameraIds.length && !g.groupIds.length) out.push({ path: 'cameraIds', message: 'a share names at least one camera or group' });
  if (!(g.validFrom < g.validTo)) out.push({ path: 'validTo', message: 'the share must end after it starts' });
  if (g.validTo <= now) out.push({ path: 'validTo', message: 'the share would already have expired' });
  if (!g.purpose.trim() || g.purpose.length > SHARE_TEXT_MAX) out.push({ path: 'purpose', message: `a purpose of 1 to ${SHARE_TEXT_MAX} characters` });
  if (!g.approvalDocument.trim() || g.approvalDocument.length > SHARE_TEXT_MAX) out.push({ path: 'approvalDocument', message: `the approval document's number and title, 1 to ${SHARE_TEXT_MAX} characters` });
  return out;
}
