// Use cases of access requests (查阅 / 复制 / 调取, R5.3): draft, officers confirm with their own
// sign-in, the approval document, submission, the decision by someone with authority over the
// custodian, use and closing. Refusals are registered, like decisions (R5.2).
import type { Clock } from '../domain/clock.js';
import type { AccessRequestRow } from '../db/access-request.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { AuditAction } from '../audit/entry.js';
import { Errors, isVigilError } from '../errors.js';
import type { Actor } from './actor.js';
import {
  CONNECT_MAX_MS,
  effectiveState,
  fills,
  requestProblem,
  requirementsFor,
  transition,
  type AccessProfile,
  type RequestFacts,
  type RequesterKind,
  type RequestKind,
  type RequestState,
  type Requirements,
  type Transition,
} from './access-request.js';
import type { DocumentStore } from './document-store.js';
import { authorize, can, type AccessRequestSubject } from './policy.js';
import type { SecurityLog } from './security-log.js';
import { cameraSubjects } from './subjects.js';
import { within } from './actor.js';

export interface NewAccessRequest {
  kind: RequestKind;
  requesterKind: RequesterKind;
  /** The requesting agency as written on its letter. */
  requestingUnit: string;
  purpose: string;
  caseNumber?: string | null;
  /** 去向: where the footage goes. */
  destination: string;
  custodianId: number;
  cameraIds: number[];
  from: number;
  to: number;
  validityHours: number;
  /** 工作证号 of each officer; each confirms with their own sign-in. */
  officerWorkIds: string[];
}

export interface AccessRequestView {
  id: number;
  kind: RequestKind;
  state: RequestState;
  requesterId: number;
  requesterKind: string;
  requestingUnit: string;
  purpose: string;
  caseNumber: string | null;
  destination: string;
  custodianId: number;
  profileId: string;
  cameraIds: number[];
  from: number;
  to: number;
  validUntil: number | null;
  /** The named cameras with their names: whoever decides sees what is asked for without reading the registry. */
  cameras: { id: number; name: string | null; gbId: string | null }[];
  /** With each officer's name and unit, so the approver knows who, not only a work ID. */
  officers: { userId: number; workId: string; confirmedAt: number | null; displayName: string | null; organisationName: string | null }[];
  document: { sha256: string; type: string } | null;
  approvals: { userId: number; role: string; at: number }[];
  requirements: Requirements;
  decisionReason: string | null;
  createdAt: number;
}

export interface AccessRequestDeps {
  /** The access rules of a profile id. */
  accessProfile(profileId: string): AccessProfile;
  /** The profile governing an organisation (its own or inherited). */
  effectiveProfileId(orgId: number): Promise<string>;
  maxApprovalMs: number;
  /**
   * Why a platform (its 20-digit SIP ID) cannot be connected on demand (a `connect` request's
   * destination), or null; without it no connection can be requested.
   */
  connectProblem?: (sipId: string) => string | null;
}

/** A request with the paths of its custodian and of its requester, on whose sides the approvals are held. */
export type Loaded = AccessRequestRow & { custodianPath: string; requesterPaths: string[] };

export const AUDIT_ACTION_OF_KIND: Record<RequestKind, AuditAction> = { view: 'view', copy: 'copy', retrieve: 'retrieve', 'individual-view': 'view', release: 'release', connect: 'connect' };

/** A connection names its platform, a period of at most CONNECT_MAX_MS, and no cameras. */
function connectInputProblems(input: NewAccessRequest, platformProblem: AccessRequestDeps['connectProblem']): void {
  const problems: { path: string; message: string }[] = [];
  const sipId = input.destination.trim();
  if (!/^\d{20}$/.test(sipId)) problems.push({ path: 'destination', message: "the platform to connect, by its 20-digit SIP ID" });
  else {
    const problem = platformProblem ? platformProblem(sipId) : 'this platform connects to no upper platform on demand';
    if (problem) problems.push({ path: 'destination', message: problem });
  }
  if (input.cameraIds.length) problems.push({ path: 'cameraIds', message: 'a connection names no cameras: the platform sees what is shared with it' });
  if (!(input.to > input.from) || input.to - input.from > CONNECT_MAX_MS) problems.push({ path: 'to', message: `the period ends after it starts and lasts at most ${CONNECT_MAX_MS / 3_600_000} h` });
  if (problems.length) throw Errors.validation('the connection cannot be requested', problems);
}

export class AccessRequestService {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly documents: DocumentStore,
    private readonly clock: Clock,
    private readonly deps: AccessRequestDeps,
  ) {}

  async create(actor: Actor, input: NewAccessRequest): Promise<AccessRequestView> {
    const action = AUDIT_ACTION_OF_KIND[input.kind];
    const base = { action, cameraIds: input.cameraIds, from: input.from, to: input.to, purpose: input.purpose, destination: input.destination };
    const custodian = await this.repos.organisations.get(input.custodianId);
    if (!custodian) throw Errors.validation('the custodian does not exist', [{ path: 'custodianId', message: `organisation ${input.custodianId} does not exist` }]);
    // A release (公开发布) is asked for by those who may take footage away; it only ever leaves masked.
    // A connection (接入) is asked for by the police who would watch through it.
    const needed = input.kind === 'copy' || input.kind === 'release' ? 'footage:copy' : input.kind === 'retrieve' ? 'footage:retrieve' : input.kind === 'view' || input.kind === 'connect' ? 'footage:view' : null;
    // A private person's viewing (CN799-21) is recorded by the operator's staff at the custodian.
    const allowed = input.kind === 'individual-view'
      ? can(actor, 'record-individual-view', { kind: 'Organisation', id: custodian.id, path: custodian.path })
      : can(actor, 'request-footage', { kind: 'Platform' }) && !!needed && actor.holds(needed);
    if (!allowed) {
      await this.log.refuse(actor, { ...base, reason: `no right to request a ${input.kind}` }, Errors.forbidden(`you may not request a ${input.kind} of footage`).withParams({ reason: 'request-kind-not-permitted', kind: input.kind }));
    }
    const profileId = await this.deps.effectiveProfileId(custodian.id);
    const problem = requestProblem(this.deps.accessProfile(profileId), input.kind, input.requesterKind);
    if (problem) {
      await this.log.refuse(actor, { ...base, reason: problem.message }, Errors.ruleRefused(problem.message, [], problem.article ? [problem.article] : []));
    }
    if (input.kind === 'connect') connectInputProblems(input, this.deps.connectProblem);
    else if (input.cameraIds.length === 0) throw Errors.validation('the request names no camera', [{ path: 'cameraIds', message: 'at least one camera' }]);
    const cameras = await Promise.all([...new Set(input.cameraIds)].map((id) => this.repos.cameras.get(id)));
    const missing = input.cameraIds.filter((_, i) => !cameras[i]);
    if (missing.length) throw Errors.validation('unknown cameras', [{ path: 'cameraIds', message: `camera(s) ${missing.join(', ')} do not exist` }]);
    const subjects = await cameraSubjects(this.repos, cameras.filter((c) => !!c));
    const outside = [...subjects.values()].filter((s) => !s.paths.some((p) => within(p, custodian.path))).map((s) => s.id);
    if (outside.length) throw Errors.validation('the custodian does not hold these cameras', [{ path: 'cameraIds', message: `camera(s) ${outside.join(', ')} are not under organisation ${custodian.id}` }]);
    const officers: { userId: number; workId: string }[] = [];
    for (const [i, workId] of input.officerWorkIds.entries()) {
      const u = await this.repos.accounts.userByWorkId(workId.trim());
      if (!u || u.status !== 'active') throw Errors.validation('unknown officer', [{ path: `officerWorkIds[${i}]`, message: `no active account has work ID ${workId}` }]);
      officers.push({ userId: u.id, workId: u.work_id! });
    }
    if (new Set(officers.map((o) => o.userId)).size !== officers.length) {
      await this.log.refuse(actor, { ...base, reason: 'the same officer is listed more than once' }, Errors.ruleRefused('the same officer is listed more than once').withParams({ reason: 'officers-repeated' }));
    }
    const validityMs = Math.round(input.validityHours * 3_600_000);
    if (!(validityMs > 0 && validityMs <= this.deps.maxApprovalMs)) throw Errors.validation(`an approval lasts at most ${this.deps.maxApprovalMs / 3_600_000} hours`, [{ path: 'validityHours', message: 'out of range' }]);
    const now = this.clock.now();
    const id = await this.repos.db.kysely.transaction().execute((trx) =>
      this.repos.accessRequests.insert(
        {
          kind: input.kind,
          state: 'draft',
          requester_id: actor.userId,
          requester_kind: input.requesterKind,
          requesting_unit: input.requestingUnit,
          purpose: input.purpose,
          case_number: input.caseNumber ?? null,
          destination: input.destination,
          custodian_id: custodian.id,
          profile_id: profileId,
          camera_ids: [...new Set(input.cameraIds)],
          range_from: input.from,
          range_to: input.to,
          validity_ms: validityMs,
          valid_until: null,
          document_sha256: null,
          document_type: null,
          approvals: [],
          decision_reason: null,
          decided_by: null,
          created_at: now,
          updated_at: now,
        },
        officers,
        trx,
      ),
    );
    return this.view(await this.load(id));
  }

  async get(actor: Actor, id: number): Promise<AccessRequestView> {
    const r = await this.load(id);
    await this.guard(actor, 'read', r, 'view');
    return this.view(r);
  }

  async list(actor: Actor): Promise<AccessRequestView[]> {
    const ids = new Set(await this.repos.accessRequests.idsInvolving(actor.userId));
    for (const id of await this.repos.accessRequests.idsForCustodians([...actor.scopes('access-request:approve'), ...actor.scopes('audit:read')])) ids.add(id);
    // The requester's side: the head of the requesting agency (AH-21), the county police (WH-25).
    for (const id of await this.repos.accessRequests.idsForRequesterScopes(actor.scopes('access-request:approve'))) ids.add(id);
    const rows = await Promise.all([...ids].sort((a, b) => b - a).map((id) => this.load(id)));
    return Promise.all(rows.map((r) => this.view(r)));
  }

  /**
   * What waits for this person: drafts naming them as an officer they have not confirmed, and
   * submitted requests whose still-missing approval a role of theirs can give (on the side the step names)
   * (never one they make or take part in). The same judgement as confirm() and approve().
   */
  async todo(actor: Actor): Promise<{ confirm: number[]; approve: number[] }> {
    const ids = new Set(await this.repos.accessRequests.idsInvolving(actor.userId));
    for (const id of await this.repos.accessRequests.idsForCustodians(actor.scopes('access-request:approve'))) ids.add(id);
    for (const id of await this.repos.accessRequests.idsForRequesterScopes(actor.scopes('access-request:approve'))) ids.add(id);
    const now = this.clock.now();
    const confirm: number[] = [];
    const approve: number[] = [];
    for (const id of [...ids].sort((a, b) => b - a)) {
      const r = await this.load(id);
      const state = effectiveState({ state: r.state as RequestState, validUntil: r.valid_until }, now);
      const officer = r.officers.find((o) => o.userId === actor.userId);
      if (state === 'draft' && officer && officer.confirmedAt === null) confirm.push(id);
      if (state !== 'submitted' || officer || r.requester_id === actor.userId || r.approvals.some((a) => a.userId === actor.userId)) continue;
      const missing = this.requirements(r).approvals.filter((step) => !r.approvals.some((a) => fills(a, step)));
      if (missing.some((step) => this.holdsStep(actor, r, step))) approve.push(id);
    }
    return { confirm, approve };
  }

  async attachDocument(actor: Actor, id: number, bytes: Buffer): Promise<AccessRequestView> {
    const r = await this.load(id);
    await this.guard(actor, 'edit', r, AUDIT_ACTION_OF_KIND[r.kind as RequestKind]);
    if (r.state !== 'draft') throw Errors.conflict('documents are attached to drafts only');
    const doc = this.documents.put(bytes);
    await this.repos.accessRequests.update(id, { document_sha256: doc.sha256, document_type: doc.type, updated_at: this.clock.now() });
    return this.view(await this.load(id));
  }

  document(r: AccessRequestView): Buffer {
    if (!r.document) throw Errors.notFound('the request has no document');
    return this.documents.get(r.document.sha256);
  }

  /** An officer confirms taking part, with their own sign-in (not a token, not someone else's). */
  async confirm(actor: Actor, id: number): Promise<AccessRequestView> {
    const r = await this.load(id);
    const action = AUDIT_ACTION_OF_KIND[r.kind as RequestKind];
    await this.guard(actor, 'confirm-as-officer', r, action);
    if (!actor.sessionId) await this.refuse(actor, r, action, Errors.forbidden('officers confirm with their own sign-in, not an API token').withParams({ reason: 'confirm-with-token' }));
    if (r.state !== 'draft') throw Errors.conflict(`the request is ${r.state}; officers confirm drafts`);
    await this.repos.accessRequests.confirmOfficer(id, actor.userId, this.clock.now());
    return this.view(await this.load(id));
  }

  async submit(actor: Actor, id: number): Promise<AccessRequestView> {
    const r = await this.load(id);
    await this.guard(actor, 'edit', r, AUDIT_ACTION_OF_KIND[r.kind as RequestKind]);
    return this.step(actor, r, { kind: 'submit' });
  }

  async approve(actor: Actor, id: number): Promise<AccessRequestView> {
    const r = await this.load(id);
    await this.guard(actor, 'decide', r, 'approval_decision');
    const req = this.requirements(r);
    const step = req.approvals.find((s) => !r.approvals.some((a) => fills(a, s)) && this.holdsStep(actor, r, s));
    if (!step) {
      const needs = req.approvals.length ? req.approvals.map((s) => `a ${s.role} over the ${s.side === 'requester' ? "requester's organisation" : 'custodian'}${s.article ? ` (${s.article})` : ''}`).join(' and ') : 'no approval';
      await this.refuse(actor, r, 'approval_decision', Errors.forbidden(`this request needs ${needs}, and you hold none still missing`).withParams({ reason: 'approver-role-missing', roles: req.approvals.map((s) => s.role).join(',') }));
    }
    return this.step(actor, r, { kind: 'approve', userId: actor.userId, role: step!.role, side: step!.side });
  }

  /** The custodian refuses, with a reason (HRB-22: without the officers, IDs and letter it may). */
  async refuseRequest(actor: Actor, id: number, reason: string): Promise<AccessRequestView> {
    const r = await this.load(id);
    await this.guard(actor, 'decide', r, 'approval_decision');
    const req = this.requirements(r);
    if (!req.approvals.some((s) => this.holdsStep(actor, r, s)) && !actor.hasRole('approver', r.custodianPath)) {
      await this.refuse(actor, r, 'approval_decision', Errors.forbidden('only one who approves this request, or the custodian\'s head, may refuse it').withParams({ reason: 'refuse-head-only' }));
    }
    return this.step(actor, r, { kind: 'refuse', userId: actor.userId }, reason);
  }

  async close(actor: Actor, id: number): Promise<AccessRequestView> {
    const r = await this.load(id);
    await this.guard(actor, 'edit', r, AUDIT_ACTION_OF_KIND[r.kind as RequestKind]);
    return this.step(actor, r, { kind: 'close' });
  }

  /** Applies a transition and registers it; a refused transition is registered too. */
  async step(actor: Actor, r: Loaded, t: Transition, reason?: string): Promise<AccessRequestView> {
    const req = this.requirements(r);
    const now = this.clock.now();
    const action: AuditAction = t.kind === 'approve' || t.kind === 'refuse' ? 'approval_decision' : AUDIT_ACTION_OF_KIND[r.kind as RequestKind];
    let next;
    try {
      next = transition(this.facts(r), req, t, now);
    } catch (e) {
      if (!isVigilError(e)) throw e;
      return this.refuse(actor, r, action, e);
    }
    const articles = [...new Set([req.officers.article, req.document.article, ...req.approvals.map((a) => a.article)].filter((a): a is string => !!a))];
    await this.log.transaction(async (trx) => {
      const updated = await this.repos.accessRequests.updateIf(
        r.id,
        r.updated_at,
        {
          state: next.state,
          approvals: next.approvals,
          valid_until: next.validUntil,
          ...(t.kind === 'refuse' ? { decision_reason: reason ?? null, decided_by: actor.userId } : {}),
          ...(t.kind === 'approve' && next.state === 'approved' ? { decided_by: actor.userId } : {}),
          updated_at: Math.max(now, r.updated_at + 1),
        },
        trx,
      );
      if (!updated) throw Errors.conflict('the request changed while you were deciding; look at it again');
      const decision = t.kind === 'approve' || t.kind === 'refuse' || (t.kind === 'submit' && next.state === 'approved');
      if (decision || t.kind === 'close') {
        await this.log.append(trx, actor, {
          ...this.entryOf(r, decision ? 'approval_decision' : action),
          // The register names every officer of the request beside the one acting (R5.3).
          actors: [actor.auditActor, ...r.officers.filter((o) => o.userId !== actor.userId).map((o) => ({ userId: o.userId, workId: o.workId, name: null }))],
          outcome: 'success',
          reason: reason ?? null,
          detail: { step: t.kind, state: next.state, automatic: t.kind === 'submit', articles, validUntil: next.validUntil },
        });
      }
    });
    return this.view(await this.load(r.id));
  }

  /**
   * Whether `actor` is one who still has to decide this submitted request: may watch its range
   * of its cameras before deciding (approver's preview), never one who takes part in it.
   */
  awaitsDecisionOf(actor: Actor, r: Loaded, now: number): boolean {
    if (effectiveState({ state: r.state as RequestState, validUntil: r.valid_until }, now) !== 'submitted') return false;
    if (r.requester_id === actor.userId || r.officers.some((o) => o.userId === actor.userId) || r.approvals.some((a) => a.userId === actor.userId)) return false;
    return this.requirements(r).approvals.some((step) => !r.approvals.some((a) => a.role === step.role) && this.holdsStep(actor, r, step));
  }

  /** Holds an approval step's role on its side: over the requester's organisation or over the custodian. */
  holdsStep(actor: Actor, r: Loaded, s: Requirements['approvals'][number]): boolean {
    return s.side === 'requester' ? r.requesterPaths.some((p) => actor.hasRole(s.role, p)) : actor.hasRole(s.role, r.custodianPath);
  }

  requirements(r: Loaded): Requirements {
    return requirementsFor(this.deps.accessProfile(r.profile_id), r.kind as RequestKind, r.requester_kind as RequesterKind);
  }

  facts(r: Loaded): RequestFacts {
    return {
      kind: r.kind as RequestKind,
      state: r.state as RequestState,
      requesterId: r.requester_id,
      cameraIds: r.camera_ids,
      from: r.range_from,
      to: r.range_to,
      officers: r.officers,
      documentSha256: r.document_sha256,
      approvals: r.approvals,
      validityMs: r.validity_ms,
      validUntil: r.valid_until,
    };
  }

  entryOf(r: Loaded, action: AuditAction) {
    return { action, cameraIds: r.camera_ids, from: r.range_from, to: r.range_to, purpose: r.purpose, destination: r.destination, approvalId: r.id, target: `access-request:${r.id}` };
  }

  async refuse(actor: Actor, r: Loaded, action: AuditAction, error: Error): Promise<never> {
    return this.log.refuse(actor, { ...this.entryOf(r, action), reason: error.message }, error);
  }

  async load(id: number): Promise<Loaded> {
    const r = await this.repos.accessRequests.get(id);
    if (!r) throw Errors.notFound(`access request ${id} does not exist`);
    const org = await this.repos.organisations.get(r.custodian_id);
    if (!org) throw Errors.notFound(`the custodian of access request ${id} no longer exists`);
    const grants = await this.repos.accounts.grantsOf(r.requester_id);
    return { ...r, custodianPath: org.path, requesterPaths: [...new Set(grants.map((g) => g.path))] };
  }

  subject(r: Loaded): AccessRequestSubject {
    return { kind: 'AccessRequest', id: r.id, requesterId: r.requester_id, officerIds: r.officers.map((o) => o.userId), custodianPath: r.custodianPath, requesterPaths: r.requesterPaths };
  }

  private async guard(actor: Actor, action: string, r: Loaded, auditAction: AuditAction): Promise<void> {
    try {
      authorize(actor, action, this.subject(r));
    } catch (e) {
      await this.refuse(actor, r, auditAction, e as Error);
    }
  }

  async view(r: Loaded): Promise<AccessRequestView> {
    return {
      id: r.id,
      kind: r.kind as RequestKind,
      state: effectiveState({ state: r.state as RequestState, validUntil: r.valid_until }, this.clock.now()),
      requesterId: r.requester_id,
      requesterKind: r.requester_kind,
      requestingUnit: r.requesting_unit,
      purpose: r.purpose,
      caseNumber: r.case_number,
      destination: r.destination,
      custodianId: r.custodian_id,
      profileId: r.profile_id,
      cameraIds: r.camera_ids,
      from: r.range_from,
      to: r.range_to,
      validUntil: r.valid_until,
      cameras: await Promise.all(r.camera_ids.map(async (id) => {
        const c = await this.repos.cameras.get(id);
        return { id, name: c?.name ?? null, gbId: c?.gbId ?? null };
      })),
      officers: await Promise.all(r.officers.map(async (o) => {
        const u = await this.repos.accounts.userById(o.userId);
        const org = u?.organisation_id != null ? await this.repos.organisations.get(u.organisation_id) : undefined;
        return { ...o, displayName: u?.display_name ?? null, organisationName: org?.name ?? null };
      })),
      document: r.document_sha256 ? { sha256: r.document_sha256, type: r.document_type ?? '' } : null,
      approvals: r.approvals,
      requirements: this.requirements(r),
      decisionReason: r.decision_reason,
      createdAt: r.created_at,
    };
  }
}
