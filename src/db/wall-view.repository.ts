// Saved video wall views (migration 0034): the one owner of the wall_views table. A view is a
// name, a layout and the camera on each tile, kept for the person who saved it; saving under a
// name one already used replaces that view.
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

export interface WallViewTables {
  wall_views: WallViewTable;
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
}
