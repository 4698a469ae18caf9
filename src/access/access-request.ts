// Access requests (查阅 view / 复制 copy / 调取 retrieve, R5.3) as a pure state machine: the
// request's facts, the jurisdiction's rules and a time go in; the next state or a refusal that
// cites its article comes out.
//
//   draft → submitted → approved | refused;  approved → in_use → closed;  approved | in_use → expired
import { Errors, type VigilError } from '../errors.js';

/**
 * view 查阅, copy 复制, retrieve 调取 by state organs (investigators and other agencies);
 * `individual-view`: the person concerned, a close relative or a carer viewing footage related
 * to them with the operator's consent (CN799-21) — view only, never a copy; and `release`
 * 公开发布: footage for public dissemination (an appeal for witnesses, a traffic accident), which
 * only ever leaves masked (CN799-22) — the request grants no use of the original at all; and
 * `connect` 接入: a police or state-security platform connected to the custodian's system for a
 * period (R2.1, R2.3; AH-20, WH-20, HRB-13) — its destination is the platform's 20-digit SIP ID,
 * its range the period, its purpose the reason; it names no cameras and grants no footage use of
 * its own (the platform sees what is shared with it), only the connection (src/cascade/emergency.ts).
 */
export const REQUEST_KINDS = ['view', 'copy', 'retrieve', 'individual-view', 'release', 'connect'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
/** The longest period one connection request may name. */
export const CONNECT_MAX_MS = 24 * 3_600_000;
export const REQUEST_STATES = ['draft', 'submitted', 'approved', 'refused', 'in_use', 'closed', 'expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
/** Who is asking: a state organ (AH-20..21, CN799-20, HRB-21), or a private person (CN799-21). */
export const AGENCY_REQUESTER_KINDS = ['public-security', 'state-security', 'procuratorate', 'court', 'other-administration'] as const;
export const INDIVIDUAL_REQUESTER_KINDS = ['person-concerned', 'close-relative', 'carer'] as const;
export const REQUESTER_KINDS = [...AGENCY_REQUESTER_KINDS, ...INDIVIDUAL_REQUESTER_KINDS] as const;
export type RequesterKind = (typeof REQUESTER_KINDS)[number];
export type ApproverRole = 'approver' | 'supervisor';
/**
 * Whose side approves: the requester's (the head of the requesting agency AH-21, the county
 * police WH-25, held over the requester's own organisation) or the custodian's (the police of the
 * place for other administrations AH-21 para. 2, the operator's consent CN799-21).
 */
export type ApprovalSide = 'requester' | 'custodian';
/** `release`: making and handing out the masked file of a release request, never the original. */
export type FootageUse = 'live' | 'playback' | 'copy' | 'retrieve' | 'release';
/** The national regulation's article on releasing footage to the public: masked, and decided by the custodian. */
export const RELEASE_ARTICLE = 'CN799-22';

interface Setting<T> {
  value: T | null;
  article?: string | null;
}
/** The part of a jurisdiction profile that governs access (profiles/*.json `access`). */
export interface AccessProfile {
  officersToView: Setting<number>;
  officersToCopy: Setting<number>;
  viewApproval: Setting<string>;
  copyApproval: Setting<string>;
  policeHeadForOtherAdministrations: Setting<boolean>;
  individualView: Setting<boolean>;
  /** Who approves an emergency connection (接入); absent or unset: the custodian's head. */
  connectApproval?: Setting<string>;
}

export interface ApprovalStep {
  role: ApproverRole;
  side: ApprovalSide;
  article: string | null;
}

export interface Requirements {
  /** The officer minimum is the profile's (none where it sets none, CN799-20). */
  officers: { count: number; article: string | null };
  /** Approval steps, all needed, each by someone holding the role on its side. */
  approvals: ApprovalStep[];
  /** The letter, approval or legal instrument the requester shows; without it the custodian refuses (HRB-22 para. 2). */
  document: { required: boolean; article: string | null };
}

export const isIndividualRequester = (k: string): boolean => (INDIVIDUAL_REQUESTER_KINDS as readonly string[]).includes(k);

/** Why this kind of request cannot come from this kind of requester under the profile, or null. */
export function requestProblem(p: AccessProfile, kind: RequestKind, requester: RequesterKind): { message: string; article: string | null } | null {
  if (kind === 'connect') {
    // AH-20: 公安机关、国家安全机关 connect; WH-20, HRB-13: at the police's requirement.
    if (requester !== 'public-security' && requester !== 'state-security') return { message: 'only the police or state security connect a platform to a unit\'s system', article: p.connectApproval?.article ?? null };
    return null;
  }
  if (kind === 'individual-view') {
    if (p.individualView.value !== true) return { message: 'the rules of this jurisdiction give private persons no right to view footage', article: p.individualView.article ?? null };
    if (!isIndividualRequester(requester)) return { message: 'a viewing by a private person names the person concerned, a close relative or a carer', article: p.individualView.article ?? null };
    return null;
  }
  if (isIndividualRequester(requester)) return { message: `a private person may only view, with the operator's consent; never ${kind}`, article: p.individualView.article ?? null };
  return null;
}

export function requirementsFor(p: AccessProfile, kind: RequestKind, requester: RequesterKind): Requirements {
  if (kind === 'individual-view') {
    // CN799-21: the operator's consent, recorded as its approval; no officers, no letter.
    const article = p.individualView.article ?? null;
    return { officers: { count: 0, article }, approvals: [{ role: 'approver', side: 'custodian', article }], document: { required: false, article } };
  }
  if (kind === 'release') return releaseRequirements(p);
  if (kind === 'connect') return connectRequirements(p);
  const officerSetting = kind === 'view' ? p.officersToView : p.officersToCopy;
  const approval = kind === 'view' ? p.viewApproval : p.copyApproval;
  const officers = { count: officerSetting.value ?? 0, article: officerSetting.article ?? null };
  const article = approval.article ?? null;
  const approvals: ApprovalStep[] = [];
  let document = true;
  if (requester === 'other-administration' && p.policeHeadForOtherAdministrations.value === true) {
    // AH-21 para. 2: other administrations bring the approval of the police head of the place.
    approvals.push({ role: 'supervisor', side: 'custodian', article: p.policeHeadForOtherAdministrations.article ?? null });
  } else {
    switch (approval.value) {
      case 'none':
        document = false;
        break;
      case 'head-of-agency':
        approvals.push({ role: 'approver', side: 'requester', article });
        break;
      case 'county-police':
        approvals.push({ role: 'supervisor', side: 'requester', article });
        break;
      case 'unit-letter': // the letter is the approval (HRB-22(3))
      case 'by-law': // the organ's own legal instrument (CN799-20)
        break;
      default:
        // No text names anyone: the custodian decides (a platform default, no article).
        approvals.push({ role: 'approver', side: 'custodian', article: null });
    }
  }
  return { officers, approvals, document: { required: document, article } };
}

/**
 * A release (CN799-22): the custodian, whose footage goes public, approves it by its head; where
 * the profile has the requesting agency's head or the county police approve taking footage away
 * (copyApproval), that approval is needed too. No officers and no letter: nothing original leaves.
 */
function releaseRequirements(p: AccessProfile): Requirements {
  const approvals: ApprovalStep[] = [{ role: 'approver', side: 'custodian', article: RELEASE_ARTICLE }];
  const copy = p.copyApproval;
  if (copy.value === 'head-of-agency') approvals.push({ role: 'approver', side: 'requester', article: copy.article ?? null });
  if (copy.value === 'county-police') approvals.push({ role: 'supervisor', side: 'requester', article: copy.article ?? null });
  return { officers: { count: 0, article: RELEASE_ARTICLE }, approvals, document: { required: false, article: RELEASE_ARTICLE } };
}

/**
 * A connection (接入): the connecting organ's head (AH-20) or the county police (WH-20, HRB-13)
 * approves on the requester's side, and the organ's document is shown (AH-22 last para.); where
 * the profile names nobody, the custodian's head decides. No officers: a platform connects.
 */
function connectRequirements(p: AccessProfile): Requirements {
  const setting = p.connectApproval;
  const article = setting?.article ?? null;
  switch (setting?.value) {
    case 'head-of-agency':
      return { officers: { count: 0, article }, approvals: [{ role: 'approver', side: 'requester', article }], document: { required: true, article } };
    case 'county-police':
      return { officers: { count: 0, article }, approvals: [{ role: 'supervisor', side: 'requester', article }], document: { required: true, article } };
    default:
      return { officers: { count: 0, article: null }, approvals: [{ role: 'approver', side: 'custodian', article: null }], document: { required: false, article: null } };
  }
}

export interface Officer {
  userId: number;
  workId: string;
  confirmedAt: number | null;
}

export interface Approval {
  userId: number;
  role: ApproverRole;
  /** Which step's side it was given for; absent on approvals given before a request could need one role on both sides. */
  side?: ApprovalSide;
  at: number;
}

/** Whether an approval given fills this step: the same role, on the same side where it says. */
export const fills = (a: Pick<Approval, 'role' | 'side'>, step: Pick<ApprovalStep, 'role' | 'side'>): boolean => a.role === step.role && (a.side === undefined || a.side === step.side);

export interface RequestFacts {
  kind: RequestKind;
  state: RequestState;
  requesterId: number;
  cameraIds: number[];
  from: number;
  to: number;
  officers: Officer[];
  documentSha256: string | null;
  approvals: Approval[];
  /** How long an approval lasts once granted. */
  validityMs: number;
  validUntil: number | null;
}

const articlesOf = (...a: (string | null)[]) => a.filter((x): x is string => !!x);

/** A refusal with its reason as a code and what it is made of, so the console words it in its own language. */
function refuse(message: string, params: Record<string, string | number>, ...articles: (string | null)[]): VigilError {
  return Errors.ruleRefused(message, [], articlesOf(...articles)).withParams(params);
}

export interface OfficerProblem {
  message: string;
  params: Record<string, string | number>;
}

/** The state as of `now`: an approval past its window has expired. */
export function effectiveState(r: Pick<RequestFacts, 'state' | 'validUntil'>, now: number): RequestState {
  if ((r.state === 'approved' || r.state === 'in_use') && r.validUntil !== null && now >= r.validUntil) return 'expired';
  return r.state;
}

/** Why the officers do not satisfy the rule, or null. Distinct people and distinct work IDs. */
export function officerProblem(r: Pick<RequestFacts, 'officers'>, req: Requirements): OfficerProblem | null {
  const people = new Set(r.officers.map((o) => o.userId));
  const workIds = new Set(r.officers.map((o) => o.workId.trim()));
  if (people.size !== r.officers.length || workIds.size !== r.officers.length) return { message: 'the same officer is listed more than once', params: { reason: 'officers-repeated' } };
  if (r.officers.length < req.officers.count) {
    return { message: `at least ${req.officers.count} officers are needed, ${r.officers.length} listed`, params: { reason: 'officers-too-few', needed: req.officers.count, listed: r.officers.length } };
  }
  const unconfirmed = r.officers.filter((o) => o.confirmedAt === null).map((o) => o.workId);
  if (unconfirmed.length) return { message: `officer(s) ${unconfirmed.join(', ')} have not confirmed with their own sign-in`, params: { reason: 'officers-unconfirmed', workIds: unconfirmed.join(', ') } };
  return null;
}

export type Transition =
  | { kind: 'submit' }
  | { kind: 'approve'; userId: number; role: ApproverRole; side?: ApprovalSide }
  | { kind: 'refuse'; userId: number }
  | { kind: 'use' }
  | { kind: 'close' };

export interface Next {
  state: RequestState;
  approvals: Approval[];
  validUntil: number | null;
}

/** The next state, or a refusal citing its article. */
export function transition(r: RequestFacts, req: Requirements, t: Transition, now: number): Next {
  const state = effectiveState(r, now);
  const same = { state, approvals: r.approvals, validUntil: r.validUntil };
  const approve = (approvals: Approval[]): Next => {
    const done = req.approvals.every((step) => approvals.some((a) => fills(a, step)));
    return done ? { state: 'approved', approvals, validUntil: now + r.validityMs } : { state: 'submitted', approvals, validUntil: null };
  };
  switch (t.kind) {
    case 'submit': {
      if (state !== 'draft') throw refuse(`only a draft can be submitted; this request is ${state}`, { reason: 'request-not-draft', state });
      if (r.cameraIds.length === 0 && r.kind !== 'connect') throw refuse('the request names no camera', { reason: 'request-no-camera' });
      if (!(r.to > r.from)) throw refuse('the time range ends before it starts', { reason: 'range-backwards' });
      const problem = officerProblem(r, req);
      if (problem) throw refuse(problem.message, problem.params, req.officers.article);
      if (req.document.required && !r.documentSha256) throw refuse('the approval document is missing', { reason: 'document-missing' }, req.document.article);
      // Viewing the profile allows without approval goes straight through (and is still registered).
      return approve([]);
    }
    case 'approve': {
      if (state !== 'submitted') throw refuse(`only a submitted request can be approved; this one is ${state}`, { reason: 'request-not-submitted', state });
      if (t.userId === r.requesterId || r.officers.some((o) => o.userId === t.userId)) throw Errors.forbidden('nobody approves a request they make or take part in').withParams({ reason: 'decide-own-request' });
      if (!req.approvals.some((s) => s.role === t.role)) throw Errors.forbidden(`this request needs no approval by a ${t.role}`).withParams({ reason: 'approval-not-needed', role: t.role });
      const step = { role: t.role, side: t.side ?? req.approvals.find((s) => s.role === t.role)!.side };
      if (r.approvals.some((a) => fills(a, step))) throw refuse(`the ${t.role}'s approval is already given`, { reason: 'approval-given', role: t.role });
      if (r.approvals.some((a) => a.userId === t.userId)) throw refuse('one person cannot give two approvals', { reason: 'approval-twice' });
      return approve([...r.approvals, { userId: t.userId, role: t.role, side: step.side, at: now }]);
    }
    case 'refuse': {
      if (state !== 'submitted') throw refuse(`only a submitted request can be refused; this one is ${state}`, { reason: 'request-not-submitted', state });
      if (t.userId === r.requesterId || r.officers.some((o) => o.userId === t.userId)) throw Errors.forbidden('nobody decides a request they make or take part in').withParams({ reason: 'decide-own-request' });
      return { ...same, state: 'refused' };
    }
    case 'use': {
      if (state === 'expired') throw refuse('the approval has expired', { reason: 'approval-expired' });
      if (state !== 'approved' && state !== 'in_use') throw refuse(`the request is ${state}, not approved`, { reason: 'request-not-approved', state });
      return { ...same, state: 'in_use' };
    }
    case 'close': {
      if (state !== 'approved' && state !== 'in_use' && state !== 'expired') throw refuse(`a ${state} request cannot be closed`, { reason: 'request-not-closable', state });
      return { ...same, state: state === 'expired' ? 'expired' : 'closed' };
    }
  }
}

/** Which uses of footage a request of this kind covers. */
const USES: Record<RequestKind, readonly FootageUse[]> = {
  view: ['live', 'playback'],
  'individual-view': ['playback'],
  copy: ['playback', 'copy'],
  retrieve: ['playback', 'retrieve'],
  release: ['release'],
  connect: [],
};

/**
 * Why this approved request does not cover this use, or null: exactly its cameras, its range,
 * its kind and its validity window (live: now must lie inside the range).
 */
export function coverageProblem(
  r: Pick<RequestFacts, 'kind' | 'state' | 'cameraIds' | 'from' | 'to' | 'validUntil'>,
  use: { cameraId: number; from: number | null; to: number | null; kind: FootageUse },
  now: number,
): string | null {
  const state = effectiveState(r, now);
  if (state === 'expired') return 'the approval has expired';
  if (state !== 'approved' && state !== 'in_use') return `the request is ${state}, not approved`;
  if (!USES[r.kind].includes(use.kind)) return `a ${r.kind} request does not allow ${use.kind}`;
  if (!r.cameraIds.includes(use.cameraId)) return `camera ${use.cameraId} is not in the request`;
  const from = use.kind === 'live' ? now : use.from;
  const to = use.kind === 'live' ? now : use.to;
  if (from === null || to === null || to < from) return 'a time range is needed';
  if (from < r.from || to > r.to) return 'the time range is outside the approved range';
  return null;
}
