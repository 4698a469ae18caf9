// Video wall views: the one owner of the wall_views table (migration 0034) and of current_walls
// (0040). A view is a name, a layout and the camera on each tile, kept for the person who saved
// it; saving under a name one already used replaces that view. The current wall is the one a
// person last left on screen, one a person.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface WallViewTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  layout: number;
  tiles: string;
  updated_at: number;
}

export interface CurrentWallTable {
  owner_id: number;
  layout: number;
  tiles: string;
  updated_at: number;
}

export interface WallViewTables {
  wall_views: WallViewTable;
  current_walls: CurrentWallTable;
}

export interface CurrentWall {
  layout: number;
  tiles: (number | null)[];
  updatedAt: number;
}

export interface WallView {
  id: number;
  ownerId: number;
  name: string;
  layout: number;
  tiles: (number | null)[];
  updatedAt: number;
}

const toView = (r: Selectable<WallViewTable>): WallView => ({
  id: Number(r.id), ownerId: Number(r.owner_id), name: r.name, layout: Number(r.layout), tiles: JSON.parse(r.tiles) as (number | null)[], updatedAt: Number(r.updated_at),
});

export class WallViewRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Saves the view under its name, replacing the owner's view of that name. */
  async save(v: { ownerId: number; name: string; layout: number; tiles: (number | null)[]; updatedAt: number }): Promise<WallView> {
    const row = await this.db
      .insertInto('wall_views')
      .values({ owner_id: v.ownerId, name: v.name, layout: v.layout, tiles: JSON.stringify(v.tiles), updated_at: v.updatedAt })
      .onConflict((oc) => oc.columns(['owner_id', 'name']).doUpdateSet({ layout: v.layout, tiles: JSON.stringify(v.tiles), updated_at: v.updatedAt }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toView(row);
  }

  async get(id: number): Promise<WallView | undefined> {
    const row = await this.db.selectFrom('wall_views').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toView(row);
  }

  async listOf(ownerId: number): Promise<WallView[]> {
    return (await this.db.selectFrom('wall_views').selectAll().where('owner_id', '=', ownerId).orderBy('name').execute()).map(toView);
  }

  /** Removes one of the owner's views; false when there was none of theirs by that id. */
  async remove(id: number, ownerId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('wall_views').where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The wall the owner last left on screen, if they ever had one. */
  async current(ownerId: number): Promise<CurrentWall | undefined> {
    const r = await this.db.selectFrom('current_walls').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
    return r && { layout: Number(r.layout), tiles: JSON.parse(r.tiles) as (number | null)[], updatedAt: Number(r.updated_at) };
  }

  /** Keeps the owner's wall as it is now on screen (replacing the one before). */
  async setCurrent(ownerId: number, w: CurrentWall): Promise<void> {
    const row = { layout: w.layout, tiles: JSON.stringify(w.tiles), updated_at: w.updatedAt };
    await this.db
      .insertInto('current_walls')
      .values({ owner_id: ownerId, ...row })
      .onConflict((oc) => oc.column('owner_id').doUpdateSet(row))
      .execute();
  }
}
