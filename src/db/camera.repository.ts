import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import { gramsDecide, hanBigrams, writeGrams } from './camera-search-grams.js';
import type { DialectName } from './database.js';
import { ReusedQuery } from './reused-query.js';
import type { CameraRow, CameraStatus, Database, DeviceType, Funding, NewCameraRow } from './schema.js';

/** A camera point as the rest of the platform sees it (R1.2). */
export interface Camera {
  id: number;
  gbId: string;
  name: string;
  deviceType: DeviceType;
  longitude: number | null;
  latitude: number | null;
  address: string;
  directionDeg: number | null;
  fovDeg: number | null;
  placeCategory: string;
  keyPosition: boolean;
  regionId: number;
  ownerUnitId: number | null;
  userUnitId: number | null;
  managingUnitId: number | null;
  maintainerUnitId: number | null;
  funding: Funding;
  signage: boolean;
  inServiceDate: string | null;
  status: CameraStatus;
  sourceUrl: string | null;
  createdAt: number;
  updatedAt: number;
}

export type CameraFields = Omit<Camera, 'id' | 'createdAt' | 'updatedAt'>;

export interface CameraSearch {
  /** Path of a region (organisation) whose subtree the cameras must be in. */
  regionPath?: string;
  /** Any of the four unit roles equals this organisation. */
  unitId?: number;
  placeCategory?: string;
  status?: CameraStatus;
  keyPosition?: boolean;
  /** Free text over name, address and national ID. */
  text?: string;
  /** Only cameras whose region or one of whose units lies under one of these paths (access scope). */
  scopePaths?: string[];
  limit: number;
  offset: number;
}

export function toCamera(r: CameraRow): Camera {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    gbId: r.gb_id,
    name: r.name,
    deviceType: r.device_type,
    longitude: n(r.longitude),
    latitude: n(r.latitude),
    address: r.address,
    directionDeg: n(r.direction_deg),
    fovDeg: n(r.fov_deg),
    placeCategory: r.place_category,
    keyPosition: Number(r.key_position) === 1,
    regionId: Number(r.region_id),
    ownerUnitId: n(r.owner_unit_id),
    userUnitId: n(r.user_unit_id),
    managingUnitId: n(r.managing_unit_id),
    maintainerUnitId: n(r.maintainer_unit_id),
    funding: r.funding,
    signage: Number(r.signage) === 1,
    inServiceDate: r.in_service_date,
    status: r.status,
    sourceUrl: r.source_url,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function searchTextOf(c: Pick<CameraFields, 'name' | 'address' | 'gbId'>): string {
  return `${c.name} ${c.address} ${c.gbId}`.toLowerCase();
}

function toRow(c: CameraFields, now: number): NewCameraRow {
  return {
    gb_id: c.gbId,
    name: c.name,
    device_type: c.deviceType,
    longitude: c.longitude,
    latitude: c.latitude,
    address: c.address,
    direction_deg: c.directionDeg,
    fov_deg: c.fovDeg,
    place_category: c.placeCategory,
    key_position: c.keyPosition ? 1 : 0,
    region_id: c.regionId,
    owner_unit_id: c.ownerUnitId,
    user_unit_id: c.userUnitId,
    managing_unit_id: c.managingUnitId,
    maintainer_unit_id: c.maintainerUnitId,
    funding: c.funding,
    signage: c.signage ? 1 : 0,
    in_service_date: c.inServiceDate,
    status: c.status,
    source_url: c.sourceUrl,
    search_text: searchTextOf(c),
    created_at: now,
    updated_at: now,
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

type Q = Kysely<Database> | Transaction<Database>;

/** Runs `fn` in the caller's transaction, or in one of its own: a camera and its bigrams go together. */
function inTransaction<T>(q: Q, fn: (t: Q) => Promise<T>): Promise<T> {
  return q.isTransaction ? fn(q) : q.transaction().execute(fn);
}

/**
 * SQLite: the FTS5 phrase (trigram tokenizer, migration 0037) that finds `text` as a substring,
 * or undefined when the index cannot serve it (fewer than three characters).
 */
function trigramPhrase(text: string): string | undefined {
  return [...text].length >= 3 ? `"${text.replaceAll('"', '""')}"` : undefined;
}

export class CameraRepository {
  /** Every catalog item looks its camera up by national ID: compiled once (reused-query.ts). */
  private readonly byGbId: ReusedQuery<readonly ['string'], CameraRow>;
  /** One camera's insert (a catalog's new channel, an API call): its columns are always toRow's. */
  private insertOne: { columns: (keyof NewCameraRow)[]; query: ReusedQuery<'string'[], CameraRow> } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {
    this.byGbId = new ReusedQuery(db, ['string'] as const, (d, [gbId]) => d.selectFrom('cameras').selectAll().where('gb_id', '=', gbId));
  }

  async insert(c: CameraFields, now: number, q: Q = this.db): Promise<Camera> {
    return inTransaction(q, async (t) => {
      const row = toRow(c, now);
      this.insertOne ??= this.reusedInsert(Object.keys(row) as (keyof NewCameraRow)[]);
      const { columns, query } = this.insertOne;
      // The values go to the driver as they are (numbers, strings, nulls), as Kysely would pass them.
      const r = await query.first(columns.map((k) => row[k] as string | null), t);
      if (!r) throw new Error(`camera ${c.gbId ?? c.name} was not inserted`);
      await writeGrams(t, [{ id: Number(r.id), searchText: r.search_text, regionId: Number(r.region_id) }], false);
      return toCamera(r);
    });
  }

  private reusedInsert(columns: (keyof NewCameraRow)[]): NonNullable<CameraRepository['insertOne']> {
    const query = new ReusedQuery(this.db, columns.map(() => 'string' as const), (d, args) =>
      d.insertInto('cameras').values(Object.fromEntries(columns.map((k, i) => [k, args[i]])) as unknown as NewCameraRow).returningAll());
    return { columns, query };
  }

  /** Inserts many rows in chunks; call inside a transaction for all-or-nothing. */
  async insertMany(cameras: CameraFields[], now: number, q: Q = this.db): Promise<number> {
    // 24 columns a row; stay under SQLite's 32766 bound parameters and PostgreSQL's 65535.
    const chunk = 500;
    await inTransaction(q, async (t) => {
      for (let i = 0; i < cameras.length; i += chunk) {
        const rows = await t
          .insertInto('cameras')
          .values(cameras.slice(i, i + chunk).map((c) => toRow(c, now)))
          .returning(['id', 'search_text', 'region_id'])
          .execute();
        await writeGrams(t, rows.map((r) => ({ id: Number(r.id), searchText: r.search_text, regionId: Number(r.region_id) })), false);
      }
    });
    return cameras.length;
  }

  async get(id: number, q: Q = this.db): Promise<Camera | undefined> {
    const r = await q.selectFrom('cameras').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toCamera(r) : undefined;
  }

  /** These cameras (in id order; ids that do not exist are left out), 500 a query. */
  /** Changes when any camera is added, changed or deleted (how many, the sum of their change times): for cheap "has anything changed" checks. */
  async changeStamp(q: Q = this.db): Promise<string> {
    const r = await q.selectFrom('cameras').select((e) => [e.fn.countAll<number>().as('n'), e.fn.sum<number>('updated_at').as('at'), e.fn.max('id').as('last')]).executeTakeFirst();
    return `${Number(r?.n ?? 0)}:${String(r?.at ?? 0)}:${Number(r?.last ?? 0)}`;
  }

  async getMany(ids: number[], q: Q = this.db): Promise<Camera[]> {
    const out: Camera[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await q.selectFrom('cameras').selectAll().where('id', 'in', unique.slice(i, i + 500)).execute();
      out.push(...rows.map(toCamera));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async getByGbId(gbId: string, q: Q = this.db): Promise<Camera | undefined> {
    const r = await this.byGbId.first([gbId], q);
    return r ? toCamera(r) : undefined;
  }

  /** Which of these national IDs already exist. */
  async existingGbIds(gbIds: string[], q: Q = this.db): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < gbIds.length; i += 1000) {
      const rows = await q.selectFrom('cameras').select('gb_id').where('gb_id', 'in', gbIds.slice(i, i + 1000)).execute();
      for (const r of rows) found.add(r.gb_id);
    }
    return found;
  }

  async update(id: number, c: CameraFields, now: number, q: Q = this.db): Promise<Camera | undefined> {
    const { created_at: _c, ...row } = toRow(c, now);
    return inTransaction(q, async (t) => {
      const done = await t.updateTable('cameras').set(row).where('id', '=', id).executeTakeFirst();
      if (Number(done.numUpdatedRows) > 0) await writeGrams(t, [{ id, searchText: row.search_text, regionId: Number(row.region_id) }], true);
      return this.get(id, t);
    });
  }

  async search(s: CameraSearch, q: Q = this.db): Promise<{ items: Camera[]; total: number }> {
    let base = q.selectFrom('cameras');
    // The regions of the subtree asked for, as a subquery (used by the camera rows or the bigram rows).
    const regionIds = q.selectFrom('organisations').select('id').where('path', 'like', `${escapeLike(s.regionPath ?? '')}%`);
    // A Chinese word's bigram rows carry their camera's region (migration 0031): within a region
    // subtree the word is read from the index (gram, region, camera) alone; see below.
    const textGram = s.text ? hanBigrams(s.text.toLowerCase())[0] : undefined;
    if (s.regionPath && !textGram) base = base.where('region_id', 'in', regionIds);
    if (s.unitId !== undefined) {
      const u = s.unitId;
      base = base.where((eb) =>
        eb.or([
          eb('owner_unit_id', '=', u),
          eb('user_unit_id', '=', u),
          eb('managing_unit_id', '=', u),
          eb('maintainer_unit_id', '=', u),
        ]),
      );
    }
    if (s.scopePaths && !s.scopePaths.includes('')) {
      const scopes = s.scopePaths;
      const inScope = (eb: ExpressionBuilder<Database, 'cameras'>) =>
        eb.selectFrom('organisations').select('id').where((o) => o.or(scopes.map((p) => o('path', 'like', `${escapeLike(p)}%`))));
      base = base.where((eb) =>
        eb.or([
          eb('region_id', 'in', inScope(eb)),
          eb('owner_unit_id', 'in', inScope(eb)),
          eb('user_unit_id', 'in', inScope(eb)),
          eb('managing_unit_id', 'in', inScope(eb)),
          eb('maintainer_unit_id', 'in', inScope(eb)),
        ]),
      );
    }
    if (s.placeCategory) base = base.where('place_category', '=', s.placeCategory);
    if (s.status) base = base.where('status', '=', s.status);
    if (s.keyPosition !== undefined) base = base.where('key_position', '=', s.keyPosition ? 1 : 0);
    // Camera order; through the bigram key when it drives the search (the same ids, no sort).
    let order = sql.ref('cameras.id');
    // Other text on SQLite: its cameras from the trigram index (migration 0037) when it has three
    // characters or more; the phrase finds exactly what the LIKE below would.
    const phrase = s.text && !textGram && this.dialect === 'sqlite' ? trigramPhrase(s.text.toLowerCase()) : undefined;
    const phraseIds = sql`(SELECT rowid FROM cameras_fts WHERE cameras_fts MATCH ${phrase ?? ''})`;
    if (s.text) {
      const text = s.text.toLowerCase();
      // Chinese text is driven from the bigram table's key (ordered by camera), through its
      // first bigram; other text, and longer Chinese text (are its bigrams adjacent?), by LIKE
      // over what is left.
      const gram = textGram;
      if (gram) {
        base = base.innerJoin('camera_search_grams', 'camera_search_grams.camera_id', 'cameras.id').where('camera_search_grams.gram', '=', gram) as typeof base;
        if (s.regionPath) base = base.where(sql<boolean>`camera_search_grams.region_id in ${regionIds}`);
        order = sql.ref('camera_search_grams.camera_id');
      }
      // Within a region subtree the cameras are read through the region (`+id`: the index's ids
      // are a list to test, not the rows to read): a station's few hundred cameras, rather than
      // every camera of the text read by its id to test its region (3.5 ms of CPU instead of
      // 14.5 for "gate" in one district of 100,000 cameras).
      if (phrase) base = base.where(s.regionPath ? sql<boolean>`+cameras.id in ${phraseIds}` : sql<boolean>`cameras.id in ${phraseIds}`);
      else if (!gram || !gramsDecide(text)) base = base.where(sql<boolean>`search_text like ${`%${escapeLike(text)}%`} escape '\\'`);
    }
    const noOtherFilter = s.unitId === undefined && !(s.scopePaths && !s.scopePaths.includes('')) && !s.placeCategory && !s.status && s.keyPosition === undefined;
    // A two-character Chinese word, alone or within a region subtree: its count is the sum of its
    // regions' counts (kept with the bigram rows), with no camera and no bigram row read.
    const word = s.text ? s.text.toLowerCase() : '';
    const onlyWord = gramsDecide(word) && noOtherFilter;
    // Text from the trigram index alone: the page's ids and the count from the index (the
    // external-content table has a row for every camera and no other: triggers, 0037).
    const onlyPhrase = phrase !== undefined && noOtherFilter && !s.regionPath;
    let wordRows = q.selectFrom('camera_search_grams').where('gram', '=', word);
    if (s.regionPath) wordRows = wordRows.where('region_id', 'in', regionIds);
    // Its count: the word's count rows (one a region, migration 0046), not its camera rows.
    let wordCounts = q.selectFrom('camera_search_gram_counts').where('gram', '=', word);
    if (s.regionPath) wordCounts = wordCounts.where('region_id', 'in', regionIds);
    // The page of a word within a region subtree: its camera ids from that index alone (sorted
    // there: `+camera_id` keeps the planner off the (gram, camera) key, whose rows lack the
    // region), then only the page's cameras read.
    const page = onlyPhrase
      ? q.selectFrom('cameras').selectAll('cameras').where(sql<boolean>`id in (SELECT rowid FROM cameras_fts WHERE cameras_fts MATCH ${phrase} ORDER BY rowid LIMIT ${s.limit} OFFSET ${s.offset})`).orderBy('id')
      : onlyWord && s.regionPath
        ? q.selectFrom('cameras').selectAll('cameras').where('id', 'in', wordRows.select('camera_id').orderBy(sql`+camera_id`).limit(s.limit).offset(s.offset)).orderBy('id')
        : base.selectAll('cameras').orderBy(order).limit(s.limit).offset(s.offset);
    const counted = onlyPhrase
      ? sql<{ n: number }>`SELECT count(*) AS n FROM cameras_fts WHERE cameras_fts MATCH ${phrase}`.execute(q).then((r) => r.rows[0]!)
      : onlyWord
        ? wordCounts.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('n')).executeTakeFirstOrThrow()
        : base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const [rows, count] = await Promise.all([page.execute(), counted]);
    return { items: rows.map(toCamera), total: Number(count.n) };
  }

  /** Distinct (region, category) pairs: the basis of the coverage report. */
  async categoriesByRegion(q: Q = this.db): Promise<{ regionId: number; placeCategory: string; cameras: number }[]> {
    const rows = await q
      .selectFrom('cameras')
      .select(['region_id', 'place_category', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '!=', 'removed')
      .groupBy(['region_id', 'place_category'])
      .execute();
    return rows.map((r) => ({ regionId: Number(r.region_id), placeCategory: r.place_category, cameras: Number(r.n) }));
  }

  /** Every camera point that names a source, removed ones aside: what the platform would open. */
  async sources(q: Q = this.db): Promise<{ id: number; gbId: string; name: string; sourceUrl: string }[]> {
    const rows = await q
      .selectFrom('cameras')
      .select(['id', 'gb_id', 'name', 'source_url'])
      .where('source_url', 'is not', null)
      .where('status', '!=', 'removed')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: Number(r.id), gbId: r.gb_id, name: r.name, sourceUrl: r.source_url! }));
  }

  async countByRegion(regionIds: number[], q: Q = this.db): Promise<number> {
    if (regionIds.length === 0) return 0;
    const r = await q
      .selectFrom('cameras')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('region_id', 'in', regionIds)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countReferencing(orgId: number, q: Q = this.db): Promise<number> {
    const r = await q
      .selectFrom('cameras')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.or([
          eb('region_id', '=', orgId),
          eb('owner_unit_id', '=', orgId),
          eb('user_unit_id', '=', orgId),
          eb('managing_unit_id', '=', orgId),
          eb('maintainer_unit_id', '=', orgId),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Every camera, in id order, a page at a time (export). */
  async *all(pageSize = 2000, q: Q = this.db): AsyncGenerator<Camera> {
    let after = 0;
    for (;;) {
      const rows = await q.selectFrom('cameras').selectAll().where('id', '>', after).orderBy('id').limit(pageSize).execute();
      if (rows.length === 0) return;
      for (const r of rows) yield toCamera(r);
      after = Number(rows[rows.length - 1]!.id);
    }
  }
}
