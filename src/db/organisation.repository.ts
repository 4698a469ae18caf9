import type { Kysely, Transaction } from 'kysely';
import type { Database, OrganisationKind, OrganisationRow, PlatformLevel, UnitRole } from './schema.js';

export interface NewOrganisation {
  kind: OrganisationKind;
  name: string;
  nameEn?: string | null;
  level?: PlatformLevel | null;
  unitRoles?: UnitRole[];
  parentId?: number | null;
  regionCode?: string | null;
  profileId?: string | null;
  gbId?: string | null;
  contact?: string | null;
}

export interface Organisation {
  id: number;
  kind: OrganisationKind;
  name: string;
  nameEn: string | null;
  level: PlatformLevel | null;
  unitRoles: UnitRole[];
  parentId: number | null;
  path: string;
  regionCode: string | null;
  profileId: string | null;
  gbId: string | null;
  contact: string | null;
  createdAt: number;
  updatedAt: number;
}

export function toOrganisation(r: OrganisationRow): Organisation {
  return {
    id: Number(r.id),
    kind: r.kind,
    name: r.name,
    nameEn: r.name_en,
    level: r.level,
    unitRoles: JSON.parse(r.unit_roles) as UnitRole[],
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    path: r.path,
    regionCode: r.region_code,
    profileId: r.profile_id,
    gbId: r.gb_id,
    contact: r.contact,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

type Q = Kysely<Database> | Transaction<Database>;

/** Tables holding a foreign key to organisations (beyond parent_id and cameras, checked apart). */
const ORGANISATION_REFERENCES: readonly [string, string, readonly string[]][] = [
  ['user accounts', 'users', ['organisation_id']],
  ['role grants', 'role_grants', ['organisation_id']],
  ['API tokens', 'api_tokens', ['organisation_id']],
  ['access requests', 'access_requests', ['custodian_id']],
  ['work orders', 'work_orders', ['maintainer_unit_id']],
  ['systems', 'systems', ['region_id', 'builder_unit_id', 'user_unit_id', 'managing_unit_id', 'maintainer_unit_id']],
  ['inspections', 'inspections', ['unit_id']],
  ['rectifications', 'rectifications', ['unit_id']],
];

/** Organisations in a tree; a subtree is every row whose path starts with the root's path. */
export class OrganisationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewOrganisation, now: number, q: Q = this.db): Promise<Organisation> {
    const parent = input.parentId != null ? await this.get(input.parentId, q) : undefined;
    const row = await q
      .insertInto('organisations')
      .values({
        kind: input.kind,
        name: input.name,
        name_en: input.nameEn ?? null,
        level: input.level ?? null,
        unit_roles: JSON.stringify(input.unitRoles ?? []),
        parent_id: input.parentId ?? null,
        path: '/',
        region_code: input.regionCode ?? null,
        profile_id: input.profileId ?? null,
        gb_id: input.gbId ?? null,
        contact: input.contact ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    const path = `${parent?.path ?? '/'}${id}/`;
    await q.updateTable('organisations').set({ path }).where('id', '=', id).execute();
    return (await this.get(id, q))!;
  }

  async get(id: number, q: Q = this.db): Promise<Organisation | undefined> {
    const r = await q.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toOrganisation(r) : undefined;
  }

  /** Changes when any organisation is added, changed or deleted. */
  async changeStamp(q: Q = this.db): Promise<string> {
    const r = await q.selectFrom('organisations').select((e) => [e.fn.countAll<number>().as('n'), e.fn.sum<number>('updated_at').as('at'), e.fn.max('id').as('last')]).executeTakeFirst();
    return `${Number(r?.n ?? 0)}:${String(r?.at ?? 0)}:${Number(r?.last ?? 0)}`;
  }

  async getMany(ids: number[], q: Q = this.db): Promise<Organisation[]> {
    if (ids.length === 0) return [];
    const rows = await q.selectFrom('organisations').selectAll().where('id', 'in', ids).execute();
    return rows.map(toOrganisation);
  }

  async list(filter: { kind?: OrganisationKind; parentId?: number | null; subtreeOf?: string } = {}, q: Q = this.db) {
    let query = q.selectFrom('organisations').selectAll().orderBy('path');
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.parentId === null) query = query.where('parent_id', 'is', null);
    else if (filter.parentId !== undefined) query = query.where('parent_id', '=', filter.parentId);
    if (filter.subtreeOf) query = query.where('path', 'like', `${filter.subtreeOf}%`);
    return (await query.execute()).map(toOrganisation);
  }

  /** Ancestors from the root down to and including the organisation itself. */
  async lineage(org: Organisation, q: Q = this.db): Promise<Organisation[]> {
    const ids = org.path.split('/').filter(Boolean).map(Number);
    const rows = await this.getMany(ids, q);
    const byId = new Map(rows.map((o) => [o.id, o]));
    return ids.map((id) => byId.get(id)).filter((o): o is Organisation => o !== undefined);
  }

  async update(
    id: number,
    patch: Partial<Pick<NewOrganisation, 'name' | 'nameEn' | 'unitRoles' | 'regionCode' | 'profileId' | 'contact' | 'gbId'>>,
    now: number,
    q: Q = this.db,
  ): Promise<Organisation | undefined> {
    const set: Record<string, unknown> = { updated_at: now };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.nameEn !== undefined) set.name_en = patch.nameEn;
    if (patch.unitRoles !== undefined) set.unit_roles = JSON.stringify(patch.unitRoles);
    if (patch.regionCode !== undefined) set.region_code = patch.regionCode;
    if (patch.profileId !== undefined) set.profile_id = patch.profileId;
    if (patch.contact !== undefined) set.contact = patch.contact;
    if (patch.gbId !== undefined) set.gb_id = patch.gbId;
    await q.updateTable('organisations').set(set).where('id', '=', id).execute();
    return this.get(id, q);
  }

  async countChildren(id: number, q: Q = this.db): Promise<number> {
    const r = await q
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('parent_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * What else still names an organisation, by what a reader would call it, with counts: read
   * before a delete so the refusal names the holders instead of tripping a foreign key. Read-only
   * over tables other repositories own; the list follows every `references('organisations.id')`.
   */
  async referencesTo(id: number, q: Q = this.db): Promise<{ what: string; count: number }[]> {
    const out: { what: string; count: number }[] = [];
    for (const [what, table, columns] of ORGANISATION_REFERENCES) {
      const r = await q
        .selectFrom(table as 'organisations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.or(columns.map((c) => eb(c as 'id', '=', id))))
        .executeTakeFirstOrThrow();
      if (Number(r.n) > 0) out.push({ what, count: Number(r.n) });
    }
    return out;
  }

  async delete(id: number, q: Q = this.db): Promise<void> {
    await q.deleteFrom('organisations').where('id', '=', id).execute();
  }
}
