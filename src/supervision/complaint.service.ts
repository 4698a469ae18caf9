// Reports and complaints from the public about the supervisors' own conduct (检举、控告, CN-25):
// anyone may file one without signing in; it reaches the supervising unit of the region it is
// about (and the auditors there), who record how it was handled; one naming no region reaches
// every supervising unit.
import type { Actor } from '../access/actor.js';
import type { ComplaintRow } from '../db/supervision.repository.js';
import { Errors, RateLimitedError } from '../errors.js';
import { Gate, profileOf, type SupervisionDeps } from './deps.js';
import { dutyArticles } from './duties.js';

/** Limits on anonymous complaints, so the open door cannot be used to flood the supervisors or the disk. */
export interface ComplaintLimits {
  perAddressPerHour: number;
  perRegionPerDay: number;
  maxTextChars: number;
}

export const DEFAULT_COMPLAINT_LIMITS: ComplaintLimits = { perAddressPerHour: 5, perRegionPerDay: 200, maxTextChars: 4000 };

const HOUR = 3_600_000;

export interface ComplaintInput { regionId?: number | null; about: string; text: string; name?: string | null; contact?: string | null }

export interface ComplaintView {
  id: number; receivedAt: number; regionId: number | null; about: string; text: string; name: string | null; contact: string | null;
  state: string; handledAt: number | null; outcome: string | null;
}

const view = (c: ComplaintRow): ComplaintView => ({
  id: c.id, receivedAt: c.received_at, regionId: c.region_id, about: c.about, text: c.text, name: c.name, contact: c.contact, state: c.state, handledAt: c.handled_at, outcome: c.outcome,
});

export class ComplaintService {
  private readonly gate: Gate;
  constructor(
    private readonly d: SupervisionDeps,
    private readonly limits: ComplaintLimits = DEFAULT_COMPLAINT_LIMITS,
  ) {
    this.gate = new Gate(d);
  }

  /** Files a complaint; the answer says only that it was received and under which article. */
  async submit(input: ComplaintInput, sourceAddress: string | null): Promise<{ id: number; receivedAt: number; articles: string[] }> {
    if (input.regionId != null) {
      const region = await this.d.repos.organisations.get(input.regionId);
      if (!region || region.kind !== 'platform') throw Errors.validation('choose a region', [{ path: 'regionId', message: 'not a region' }]);
    }
    if (input.text.length > this.limits.maxTextChars) {
      throw Errors.validation(`the text is at most ${this.limits.maxTextChars} characters`, [{ path: 'text', message: `longer than ${this.limits.maxTextChars} characters` }]);
    }
    const now = this.d.clock.now();
    const supervision = this.d.repos.supervision;
    if (sourceAddress !== null && (await supervision.countComplaints(now - HOUR, { sourceAddress })) >= this.limits.perAddressPerHour) {
      throw new RateLimitedError(`at most ${this.limits.perAddressPerHour} complaints an hour from one address; try again later`, HOUR);
    }
    const regionId = input.regionId ?? null;
    if ((await supervision.countComplaints(now - 24 * HOUR, { regionId })) >= this.limits.perRegionPerDay) {
      throw new RateLimitedError(`this region has received its ${this.limits.perRegionPerDay} complaints for today; try again tomorrow or call the supervising unit`, 24 * HOUR);
    }
    const row = await this.d.log.transaction(async (trx) => {
      const c = await this.d.repos.supervision.insert('complaints', {
        received_at: now, region_id: input.regionId ?? null, about: input.about, text: input.text, name: input.name ?? null, contact: input.contact ?? null,
        source_address: sourceAddress, state: 'received', handled_at: null, handled_by: null, outcome: null,
      }, trx);
      // Registered without its text: the register names the event, the complaint keeps the words.
      await this.d.log.append(trx, null, { action: 'config_change', outcome: 'success', target: `complaint:${c.id} received`, sourceAddress, detail: { regionId: input.regionId ?? null } });
      return c;
    });
    return { id: row.id, receivedAt: now, articles: await this.articles(input.regionId ?? null) };
  }

  /** The complaint articles of the region's profile; without a region, those of every root profile (the national text). */
  private async articles(regionId: number | null): Promise<string[]> {
    if (regionId !== null) return dutyArticles('complaint', (await profileOf(this.d, regionId)).profile);
    const roots = this.d.catalogue.list().filter((p) => p.inherits === null);
    return [...new Set(roots.flatMap((p) => dutyArticles('complaint', p)))];
  }

  /**
   * A complaint naming no region is about the supervisors in general: it reaches every supervising
   * unit (any region's readers of complaints), so that none is left where nobody looks (issue 20).
   */
  private async regionlessPaths(): Promise<string[]> {
    return ['', ...(await this.d.repos.organisations.list({ kind: 'platform' })).map((p) => p.path)];
  }

  async list(actor: Actor): Promise<ComplaintView[]> {
    const everywhere = await this.regionlessPaths();
    const paths = everywhere.filter((p) => this.gate.allows(actor, 'read-complaints', [p]));
    if (paths.length && !paths.includes('')) paths.push('');
    return (await this.d.repos.supervision.complaints(paths)).map(view);
  }

  async handle(actor: Actor, id: number, outcome: string): Promise<ComplaintView> {
    const c = await this.d.repos.supervision.get('complaints', id);
    if (!c) throw Errors.notFound(`complaint ${id} does not exist`);
    const paths = c.region_id === null ? await this.regionlessPaths() : [(await this.d.registry.organisations.get(c.region_id)).path];
    const scope = await this.gate.check(actor, 'read-complaints', { paths }, 'registry_change', `complaint:${id} handle`);
    await this.d.log.transaction(async (trx) => {
      if (!(await this.d.repos.supervision.update('complaints', id, { state: 'handled', handled_at: this.d.clock.now(), handled_by: actor.userId, outcome }, trx, 'received'))) {
        throw Errors.conflict(`complaint ${id} was already handled`);
      }
      await this.gate.record(trx, actor, `complaint:${id} handle`, {}, scope);
    });
    return view((await this.d.repos.supervision.get('complaints', id))!);
  }
}
