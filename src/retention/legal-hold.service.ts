// Legal holds (信息保全, R4.3): placed on a camera and a range with a case reference; footage under
// a hold survives any retention period. Releasing is two steps by two people — one asks, with a
// reason; another with approval authority over the camera approves — and each step is registered
// in the same transaction as the change.
import type { Actor } from '../access/actor.js';
import { authorize, can } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import { cameraSubject, cameraSubjects } from '../access/subjects.js';
import type { Clock } from '../domain/clock.js';
import type { HoldState, LegalHoldRow } from '../db/legal-hold.repository.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import './hold.policy.js';

export interface NewHold {
  cameraId: number;
  from: number | null;
  to: number | null;
  caseRef: string;
  reason: string;
}

export interface HoldView {
  id: number;
  cameraId: number;
  from: number | null;
  to: number | null;
  caseRef: string;
  reason: string;
  state: LegalHoldRow['state'];
  placedBy: number;
  placedAt: number;
  releaseRequestedBy: number | null;
  releaseReason: string | null;
  releasedBy: number | null;
  releasedAt: number | null;
}

/** Who may list holds across cameras at all (each hold is then filtered by the read-holds policy). */
const HOLD_PERMISSIONS = ['footage:retrieve', 'access-request:approve', 'audit:read'] as const;

export const toHoldView = (r: LegalHoldRow): HoldView => ({
  id: Number(r.id), cameraId: Number(r.camera_id), from: r.range_from, to: r.range_to, caseRef: r.case_ref, reason: r.reason, state: r.state,
  placedBy: Number(r.placed_by), placedAt: Number(r.placed_at), releaseRequestedBy: r.release_requested_by, releaseReason: r.release_reason,
  releasedBy: r.released_by, releasedAt: r.released_at,
});

export class LegalHoldService {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly clock: Clock,
    /** Told after a hold is placed or released (the object store mirrors holds as legal holds). */
    private readonly onChange?: () => void,
  ) {}

  private async guard(actor: Actor, action: string, cameraId: number, audit: 'legal_hold' | 'legal_hold_release', target: string | null): Promise<void> {
    const camera = await cameraSubject(this.repos, cameraId);
    if (!can(actor, action, camera)) {
      await this.log.refuse(actor, { action: audit, cameraIds: [cameraId], target, reason: `you may not ${action} on camera ${cameraId}` }, Errors.forbidden(`you may not ${action} on camera ${cameraId}`).withParams({ reason: 'hold-not-permitted', camera: cameraId }));
    }
    authorize(actor, action, camera);
  }

  async place(actor: Actor, h: NewHold): Promise<HoldView> {
    if (!h.caseRef.trim()) throw Errors.validation('a hold needs a case reference', [{ path: 'caseRef', message: 'required' }]);
    if (h.from !== null && h.to !== null && h.to < h.from) throw Errors.validation('the range ends before it starts', [{ path: 'to', message: 'before from' }]);
    await this.guard(actor, 'place-hold', h.cameraId, 'legal_hold', null);
    const now = this.clock.now();
    const row = await this.log.transaction(async (trx) => {
      const r = await this.repos.legalHolds.insertHold(trx, {
        camera_id: h.cameraId, range_from: h.from, range_to: h.to, case_ref: h.caseRef.trim(), reason: h.reason, state: 'active', placed_by: actor.userId, placed_at: now,
        release_requested_by: null, release_requested_at: null, release_reason: null, released_by: null, released_at: null,
      });
      await this.log.append(trx, actor, { action: 'legal_hold', cameraIds: [h.cameraId], from: h.from, to: h.to, target: `legal-hold:${r.id}`, purpose: h.caseRef, reason: h.reason, outcome: 'success', detail: { caseRef: h.caseRef } });
      return r;
    });
    this.onChange?.();
    return toHoldView(row);
  }

  async requestRelease(actor: Actor, id: number, reason: string): Promise<HoldView> {
    const hold = await this.get(id);
    await this.guard(actor, 'request-hold-release', hold.cameraId, 'legal_hold_release', `legal-hold:${id}`);
    if (!reason.trim()) throw Errors.validation('say why the hold may be released', [{ path: 'reason', message: 'required' }]);
    return this.step(actor, hold, 'active', { state: 'release_requested', release_requested_by: actor.userId, release_requested_at: this.clock.now(), release_reason: reason }, 'release asked');
  }

  async approveRelease(actor: Actor, id: number): Promise<HoldView> {
    const hold = await this.get(id);
    await this.guard(actor, 'approve-hold-release', hold.cameraId, 'legal_hold_release', `legal-hold:${id}`);
    if (hold.releaseRequestedBy === actor.userId) {
      await this.log.refuse(actor, { action: 'legal_hold_release', cameraIds: [hold.cameraId], target: `legal-hold:${id}`, reason: 'the person who asked for the release cannot approve it' }, Errors.forbidden('the person who asked for the release cannot approve it').withParams({ reason: 'release-own-request' }));
    }
    return this.step(actor, hold, 'release_requested', { state: 'released', released_by: actor.userId, released_at: this.clock.now() }, 'released on approval');
  }

  async get(id: number): Promise<HoldView> {
    const r = await this.repos.legalHolds.hold(id);
    if (!r) throw Errors.notFound(`legal hold ${id} does not exist`);
    return toHoldView(r);
  }

  async list(actor: Actor, cameraId: number): Promise<HoldView[]> {
    await this.guard(actor, 'read-holds', cameraId, 'legal_hold', null);
    return (await this.repos.legalHolds.holdsOfCamera(cameraId)).map(toHoldView);
  }

  /** One hold, to one who may read the holds of its camera (a refusal is registered). */
  async view(actor: Actor, id: number): Promise<HoldView> {
    const hold = await this.get(id);
    if (!can(actor, 'read-holds', await cameraSubject(this.repos, hold.cameraId))) {
      const reason = `you may not read the holds of camera ${hold.cameraId}`;
      await this.log.refuse(actor, { action: 'legal_hold', cameraIds: [hold.cameraId], target: `legal-hold:${hold.id}`, reason }, Errors.forbidden(reason).withParams({ reason: 'hold-release-not-permitted' }));
    }
    return hold;
  }

  /** Holds in `states` on every camera the actor may read holds of; refused (and registered) to one who may read none. */
  async listInReach(actor: Actor, states: HoldState[], target: string | null): Promise<HoldView[]> {
    if (!HOLD_PERMISSIONS.some((p) => actor.holds(p))) {
      await this.log.refuse(actor, { action: 'legal_hold', target, reason: 'you may not read legal holds' }, Errors.forbidden('you may not read legal holds').withParams({ reason: 'holds-not-readable' }));
    }
    const rows = (await this.repos.legalHolds.holds(states)).map(toHoldView);
    const cameras = (await Promise.all([...new Set(rows.map((h) => h.cameraId))].map((id) => this.repos.cameras.get(id)))).filter((c) => c !== undefined);
    const subjects = await cameraSubjects(this.repos, cameras);
    return rows.filter((h) => {
      const s = subjects.get(h.cameraId);
      return s !== undefined && can(actor, 'read-holds', s);
    });
  }

  private async step(actor: Actor, hold: HoldView, from: LegalHoldRow['state'], set: Partial<LegalHoldRow>, what: string): Promise<HoldView> {
    await this.log.transaction(async (trx) => {
      if (!(await this.repos.legalHolds.updateHold(trx, hold.id, from, set))) throw Errors.ruleRefused(`legal hold ${hold.id} is ${hold.state}, not ${from}`);
      await this.log.append(trx, actor, {
        action: 'legal_hold_release', cameraIds: [hold.cameraId], from: hold.from, to: hold.to, target: `legal-hold:${hold.id}`, purpose: hold.caseRef,
        reason: set.release_reason ?? hold.releaseReason, outcome: 'success', detail: { step: what, caseRef: hold.caseRef },
      });
    });
    this.onChange?.();
    return this.get(hold.id);
  }
}
