// Marking a camera's outage as force majeure (不可抗力, HRB-25(3)): one person proposes the span
// with a reason, a different person confirms it; only confirmed marks leave the rates. Both
// need to maintain the camera (checked by the caller with the 'maintain' policy). Days already
// rolled up are rolled up again on confirmation, so reports of past days see the mark.
import type { Actor } from '../access/actor.js';
import type { ForceMajeureMark, ForceMajeureRepository } from '../db/force-majeure.repository.js';
import type { WatchedCamera } from '../db/health.repository.js';
import type { Clock } from '../domain/clock.js';
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { Errors } from '../errors.js';
import type { HealthRegister } from './health-register.js';
import type { StatusService } from './status.service.js';

export const REASON_MAX = 2000;

export interface ForceMajeureProposal {
  from: number;
  to: number;
  reason: string;
}

/** The article a force-majeure exclusion rests on in a profile: its good-rate target's, else its duty to repair. */
export function forceMajeureArticle(profile: JurisdictionProfile): string | null {
  return profile.maintenance.goodRateTarget.article ?? profile.repair.faultDuty.article ?? null;
}

export class ForceMajeureService {
  constructor(private readonly d: { repo: ForceMajeureRepository; status: StatusService; register: HealthRegister; clock: Clock; profileFor(regionId: number): Promise<JurisdictionProfile> }) {}

  get(id: number): Promise<ForceMajeureMark> {
    return this.d.repo.get(id).then((m) => {
      if (!m) throw Errors.notFound(`force-majeure mark ${id} does not exist`);
      return m;
    });
  }

  list(f: { cameraIds?: number[]; state?: 'proposed' | 'confirmed'; limit: number }): Promise<ForceMajeureMark[]> {
    return this.d.repo.list(f);
  }

  /** Confirmed marks of these cameras overlapping [from, to): what a rate report shows apart. */
  confirmedWithin(cameraIds: number[], from: number, to: number): Promise<ForceMajeureMark[]> {
    return this.d.repo.overlapping(cameraIds, from, to, true);
  }

  async propose(actor: Actor, camera: WatchedCamera, p: ForceMajeureProposal): Promise<ForceMajeureMark> {
    const reason = p.reason.trim();
    if (!reason) throw Errors.validation('a force-majeure mark needs a reason', [{ path: 'reason', message: 'empty' }]);
    if (reason.length > REASON_MAX) throw Errors.validation(`the reason is longer than ${REASON_MAX} characters`, [{ path: 'reason', message: 'too long' }]);
    if (!(p.from < p.to)) throw Errors.validation('the outage must end after it starts', [{ path: 'to', message: 'not after from' }]);
    const now = this.d.clock.now();
    if (p.to > now) throw Errors.validation('only an outage span that has happened can be marked (to is in the future)', [{ path: 'to', message: 'after now' }]);
    if (p.from < camera.createdAt) throw Errors.validation('the span starts before the camera was registered', [{ path: 'from', message: 'before registration' }]);
    const profile = await this.d.profileFor(camera.regionId);
    const article = forceMajeureArticle(profile);
    if (!article) throw Errors.ruleRefused(`profile ${profile.id} names no article that excepts force majeure`);
    const clash = await this.d.repo.overlapping([camera.id], p.from, p.to, false);
    if (clash.length) throw Errors.conflict(`the span overlaps force-majeure mark ${clash[0]!.id} of camera ${camera.id}`);
    const mark = await this.d.repo.insert({ cameraId: camera.id, from: p.from, to: p.to, reason, article, profileId: profile.id, proposedBy: actor.userId, proposedAt: now });
    await this.d.register.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [camera.id], from: mark.from, to: mark.to, target: `force-majeure mark ${mark.id} proposed`, reason: mark.reason, detail: { article: mark.article } });
    return mark;
  }

  /** Confirms a proposed mark: by someone other than its proposer (four eyes), once. */
  async confirm(actor: Actor, id: number): Promise<ForceMajeureMark> {
    const by = actor.userId;
    const mark = await this.get(id);
    if (mark.confirmedBy !== null) throw Errors.conflict(`force-majeure mark ${id} is already confirmed`);
    if (mark.proposedBy === by) {
      throw Errors.forbidden(`force-majeure mark ${id}: its proposer may not confirm it; a second person must (${mark.article})`, [], [mark.article]).withParams({ rule: 'second-person', reason: 'force-majeure-own-mark', article: mark.article });
    }
    if (!(await this.d.repo.confirm(id, by, this.d.clock.now()))) throw Errors.conflict(`force-majeure mark ${id} is already confirmed`);
    await this.d.status.rerollSpan(mark.from, mark.to);
    const confirmed = await this.get(id);
    await this.d.register.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [confirmed.cameraId], from: confirmed.from, to: confirmed.to, target: `force-majeure mark ${confirmed.id} confirmed`, reason: confirmed.reason, detail: { article: confirmed.article, proposedBy: confirmed.proposedBy } });
    return confirmed;
  }
}
