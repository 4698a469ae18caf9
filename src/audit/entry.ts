// What one register entry says (R5.2, R4.5; OWASP ASVS §16, CJIS §5.4): when, who, what was
// done to which object, why, where it went, under which approval, from where, and the outcome.
import { Errors, type ErrorDetail } from '../errors.js';
import { canonicalJson } from './canonical.js';

export const AUDIT_ACTIONS = [
  'login',
  'logout',
  /** Live view (值守监看). */
  'view',
  'playback',
  /** 复制: copy of footage; needs ≥2 officers (R5.3). */
  'copy',
  /** 调取: retrieval of footage by an outside authority; needs ≥2 officers (R5.3). */
  'retrieve',
  'export',
  /** Someone approved or refused an access request. */
  'approval_decision',
  'permission_change',
  'config_change',
  /** Reading the confidential basic information of camera points (R1.2). */
  'registry_view',
  'registry_change',
  /** Searching or exporting this register. */
  'register_access',
  /** The retention cleaner removed footage past its period (ranges and hashes in detail). */
  'retention_delete',
  /** A legal hold (信息保全) placed, its release asked for, or released on approval. */
  'legal_hold',
  'legal_hold_release',
  /** 公开发布: a release request's masking, review, approval and hand-out of the masked file (CN799-22). */
  'release',
  /** 接入: an emergency connection of a police platform to this system opened, ended or refused (R2.1, R2.3). */
  'connect',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A failed login is `login` + `failed`; a failed authorisation is the attempted action + `refused`. */
export const AUDIT_OUTCOMES = ['success', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Actions that R5.3 lets happen only with at least two officers and their work IDs. */
export const TWO_OFFICER_ACTIONS: ReadonlySet<AuditAction> = new Set(['copy', 'retrieve']);

export interface AuditActor {
  /** Null when nobody could be identified, e.g. a failed login with an unknown name. */
  userId: number | null;
  /** The officer's work ID (警号 / 工作证号), when the actor has one. */
  workId: string | null;
  /** Display or login name as given at the time. */
  name: string | null;
}

export interface AuditEntryInput {
  /** Epoch ms UTC; the register's clock when omitted. */
  at?: number;
  action: AuditAction;
  actors: AuditActor[];
  cameraIds?: number[];
  from?: number | null;
  to?: number | null;
  target?: string | null;
  purpose?: string | null;
  destination?: string | null;
  approvalId?: number | null;
  sourceAddress?: string | null;
  outcome: AuditOutcome;
  reason?: string | null;
  detail?: Record<string, unknown>;
  /**
   * Organisations the entry is about besides its cameras, actors and target (a system's region
   * and units, the unit an inspection visits): indexed so that readers scoped to one of them find
   * it. Part of the search index only, not of the hashed entry.
   */
  organisationIds?: number[];
}

/** An entry as read back from the register. */
export interface AuditEntry {
  seq: number;
  at: number;
  action: string;
  actors: AuditActor[];
  cameraIds: number[];
  from: number | null;
  to: number | null;
  target: string | null;
  purpose: string | null;
  destination: string | null;
  approvalId: number | null;
  sourceAddress: string | null;
  outcome: string;
  reason: string | null;
  detail: Record<string, unknown>;
  rowHash: string;
}

/** The stored, hashed columns of an entry apart from seq and the two hashes. */
export interface AuditContent {
  at: number;
  action: string;
  actors: string;
  camera_ids: string;
  range_from: number | null;
  range_to: number | null;
  target: string | null;
  purpose: string | null;
  destination: string | null;
  approval_id: number | null;
  source_address: string | null;
  outcome: string;
  reason: string | null;
  detail: string;
}

const MAX_TEXT = 2000;
const MAX_ACTORS = 20;
const MAX_CAMERAS = 10_000;
const MAX_DETAIL = 16 * 1024;

/** Checks an entry and turns it into the exact text that is stored and hashed. */
export function toAuditContent(e: AuditEntryInput, now: number): AuditContent {
  const problems: ErrorDetail[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });
  const text = (v: string | null | undefined, path: string): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') bad(path, 'must be text');
    // PostgreSQL text cannot hold NUL; refusing it keeps both dialects storing the same bytes.
    else if (v.includes('\0')) bad(path, 'must not contain NUL characters');
    else if (v.length > MAX_TEXT) bad(path, `must be at most ${MAX_TEXT} characters`);
    return v;
  };
  const time = (v: number | null | undefined, path: string): number | null => {
    if (v === undefined || v === null) return null;
    if (!Number.isSafeInteger(v) || v < 0) bad(path, 'must be epoch milliseconds');
    return v;
  };
  const id = (v: number | null, path: string) => {
    if (v !== null && (!Number.isSafeInteger(v) || v <= 0)) bad(path, 'must be a positive whole number');
  };

  const at = time(e.at ?? now, 'at') ?? now;
  if (!(AUDIT_ACTIONS as readonly string[]).includes(e.action)) bad('action', `unknown action "${String(e.action)}"`);
  if (!(AUDIT_OUTCOMES as readonly string[]).includes(e.outcome)) bad('outcome', `unknown outcome "${String(e.outcome)}"`);
  if (!Array.isArray(e.actors) || e.actors.length === 0) bad('actors', 'at least one actor is recorded, even an unidentified one');
  else if (e.actors.length > MAX_ACTORS) bad('actors', `at most ${MAX_ACTORS} actors`);
  const actors = (Array.isArray(e.actors) ? e.actors.slice(0, MAX_ACTORS) : []).map((a, i) => {
    id(a?.userId ?? null, `actors[${i}].userId`);
    // Fixed key order: the stored text is what gets hashed.
    return { userId: a?.userId ?? null, workId: text(a?.workId, `actors[${i}].workId`), name: text(a?.name, `actors[${i}].name`) };
  });
  if (TWO_OFFICER_ACTIONS.has(e.action) && e.outcome === 'success') {
    const officers = new Set(actors.filter((a) => a.userId !== null && a.workId).map((a) => a.userId));
    if (officers.size < 2) bad('actors', `a ${e.action} needs at least two officers with work IDs (R5.3)`);
  }
  const cameraIds = e.cameraIds ?? [];
  if (!Array.isArray(cameraIds) || cameraIds.length > MAX_CAMERAS) bad('cameraIds', `a list of at most ${MAX_CAMERAS} camera ids`);
  else cameraIds.forEach((c, i) => id(c, `cameraIds[${i}]`));
  const from = time(e.from, 'from');
  const to = time(e.to, 'to');
  if (from !== null && to !== null && to < from) bad('to', 'the time range ends before it starts');
  const approvalId = e.approvalId ?? null;
  id(approvalId, 'approvalId');
  const about = e.organisationIds ?? [];
  if (!Array.isArray(about) || about.length > MAX_CAMERAS) bad('organisationIds', `a list of at most ${MAX_CAMERAS} organisation ids`);
  else about.forEach((o, i) => id(o, `organisationIds[${i}]`));
  let detail = '{}';
  try {
    detail = canonicalJson(e.detail ?? {});
    if (detail[0] !== '{') bad('detail', 'must be an object');
    if (detail.length > MAX_DETAIL) bad('detail', `must be at most ${MAX_DETAIL} characters as JSON`);
    if (detail.includes('\0')) bad('detail', 'must not contain NUL characters');
  } catch (err) {
    bad('detail', (err as Error).message);
  }
  const content: AuditContent = {
    at,
    action: e.action,
    actors: JSON.stringify(actors),
    camera_ids: JSON.stringify(Array.isArray(cameraIds) ? cameraIds : []),
    range_from: from,
    range_to: to,
    target: text(e.target, 'target'),
    purpose: text(e.purpose, 'purpose'),
    destination: text(e.destination, 'destination'),
    approval_id: approvalId,
    source_address: text(e.sourceAddress, 'sourceAddress'),
    outcome: e.outcome,
    reason: text(e.reason, 'reason'),
    detail,
  };
  if (problems.length) throw Errors.validation('the register entry is not valid', problems);
  return content;
}

export function toAuditEntry(r: AuditContent & { seq: number; row_hash: string }): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    action: r.action,
    actors: JSON.parse(r.actors) as AuditActor[],
    cameraIds: JSON.parse(r.camera_ids) as number[],
    from: r.range_from,
    to: r.range_to,
    target: r.target,
    purpose: r.purpose,
    destination: r.destination,
    approvalId: r.approval_id,
    sourceAddress: r.source_address,
    outcome: r.outcome,
    reason: r.reason,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    rowHash: r.row_hash,
  };
}
