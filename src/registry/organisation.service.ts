import { Errors } from '../errors.js';
import type { Clock } from '../domain/clock.js';
import type { Organisation, NewOrganisation } from '../db/organisation.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { PlatformLevel } from '../db/schema.js';
import { checkNationalId } from './national-id-check.js';
import type { ProfileRules } from './profile-rules.js';
import type { RecordChange } from './registry-change.js';

const LEVEL_RANK: Record<PlatformLevel, number> = { province: 0, city: 1, district: 2, station: 3 };

/** Platforms by level in a tree, and units that belong to a region (a platform). */
export class OrganisationService {
  constructor(
    private readonly repos: Repositories,
    private readonly rules: ProfileRules,
    private readonly clock: Clock,
  ) {}

  async create(input: NewOrganisation, record?: RecordChange): Promise<Organisation> {
    return this.repos.db.kysely.transaction().execute(async (trx) => {
      const parent = input.parentId != null ? await this.repos.organisations.get(input.parentId, trx) : undefined;
      if (input.parentId != null && !parent) {
        throw Errors.validation(`parent organisation ${input.parentId} does not exist`, [{ path: 'parentId', message: 'does not exist' }]);
      }
      if (input.kind === 'platform') {
        if (!input.level) throw Errors.validation('a platform needs a level', [{ path: 'level', message: 'required for a platform' }]);
        if (parent && parent.kind !== 'platform') {
          throw Errors.validation('a platform can only sit under another platform', [{ path: 'parentId', message: 'is a unit, not a platform' }]);
        }
        if (parent?.level && LEVEL_RANK[parent.level] >= LEVEL_RANK[input.level]) {
          throw Errors.validation(`a ${input.level} platform cannot sit under a ${parent.level} platform`, [
            { path: 'level', message: `must be below ${parent.level}` },
          ]);
        }
        if (input.unitRoles?.length) throw Errors.validation('a platform has no unit roles', [{ path: 'unitRoles', message: 'only for units' }]);
      } else {
        if (input.level) throw Errors.validation('a unit has no platform level', [{ path: 'level', message: 'only for platforms' }]);
        if (!parent || parent.kind !== 'platform') {
          throw Errors.validation('a unit must belong to a region (a platform organisation)', [{ path: 'parentId', message: 'must be a platform' }]);
        }
        if (!input.unitRoles?.length) {
          throw Errors.validation('a unit needs at least one role', [{ path: 'unitRoles', message: 'builder, user, managing or maintainer' }]);
        }
      }
      this.checkProfile(input.profileId);
      if (input.gbId) checkNationalId(input.gbId, 'gbId', 'platform');
      const regionCode = input.regionCode ?? (input.kind === 'unit' ? parent?.regionCode ?? null : null);
      try {
        const org = await this.repos.organisations.create({ ...input, regionCode }, this.clock.now(), trx);
        await record?.(trx, { object: 'organisation', action: 'create', id: org.id, detail: { kind: org.kind, name: org.name } });
        return org;
      } catch (e) {
        throw uniqueViolation(e, 'gbId') ?? e;
      }
    });
  }

  async update(id: number, patch: Parameters<Repositories['organisations']['update']>[1], record?: RecordChange): Promise<Organisation> {
    const org = await this.get(id);
    this.checkProfile(patch.profileId ?? undefined);
    if (patch.unitRoles && org.kind === 'platform' && patch.unitRoles.length) {
      throw Errors.validation('a platform has no unit roles', [{ path: 'unitRoles', message: 'only for units' }]);
    }
    if (patch.gbId) checkNationalId(patch.gbId, 'gbId', 'platform');
    try {
      return await this.repos.db.kysely.transaction().execute(async (trx) => {
        const updated = (await this.repos.organisations.update(id, patch, this.clock.now(), trx))!;
        await record?.(trx, { object: 'organisation', action: 'update', id, detail: { fields: Object.keys(patch).sort() } });
        return updated;
      });
    } catch (e) {
      throw uniqueViolation(e, 'gbId') ?? e;
    }
  }

  async get(id: number): Promise<Organisation> {
    const org = await this.repos.organisations.get(id);
    if (!org) throw Errors.notFound(`organisation ${id} does not exist`);
    return org;
  }

  list(filter: { kind?: 'platform' | 'unit'; parentId?: number | null; subtreeOf?: number } = {}) {
    return (async () => {
      const subtree = filter.subtreeOf !== undefined ? (await this.get(filter.subtreeOf)).path : undefined;
      return this.repos.organisations.list({ kind: filter.kind, parentId: filter.parentId, subtreeOf: subtree });
    })();
  }

  async remove(id: number, record?: RecordChange): Promise<void> {
    await this.repos.db.kysely.transaction().execute(async (trx) => {
      const org = await this.repos.organisations.get(id, trx);
      if (!org) throw Errors.notFound(`organisation ${id} does not exist`);
      if ((await this.repos.organisations.countChildren(id, trx)) > 0) {
        throw Errors.conflict(`organisation ${id} still has organisations under it`);
      }
      if ((await this.repos.cameras.countReferencing(id, trx)) > 0) {
        throw Errors.conflict(`organisation ${id} is still named by camera points`);
      }
      const held = await this.repos.organisations.referencesTo(id, trx);
      if (held.length) {
        const list = held.map((h) => `${h.count} ${h.what}`).join(', ');
        throw Errors.conflict(`organisation ${id} is still referenced by ${list}; move or remove them first`, held.map((h) => ({ path: h.what, message: `${h.count} still name this organisation` })));
      }
      await this.repos.organisations.delete(id, trx);
      await record?.(trx, { object: 'organisation', action: 'delete', id, detail: { name: org.name } });
    });
  }

  /** The profile in force for an organisation: its own, else the nearest ancestor's, else the deployment's. */
  async effectiveProfileId(orgId: number): Promise<string> {
    const org = await this.get(orgId);
    const lineage = await this.repos.organisations.lineage(org);
    for (let i = lineage.length - 1; i >= 0; i--) {
      const p = lineage[i]!.profileId;
      if (p) return p;
    }
    return this.rules.defaultProfileId;
  }

  private checkProfile(profileId: string | null | undefined) {
    if (profileId && !this.rules.hasProfile(profileId)) {
      throw Errors.validation(`jurisdiction profile "${profileId}" does not exist`, [{ path: 'profileId', message: 'unknown profile' }]);
    }
  }
}

/** Turns a unique-constraint failure of either dialect into a 409 naming the field. */
export function uniqueViolation(e: unknown, field: string) {
  const err = e as { code?: string; message?: string };
  if (err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(err?.message ?? '')) {
    return Errors.conflict(`${field} is already in use`, [{ path: field, message: 'already in use' }]);
  }
  return undefined;
}
