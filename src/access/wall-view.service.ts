// Saved video wall views (issue 20): a name, a layout and the camera on each tile, kept on the
// server for the person who saved them. A view is its maker's alone. One may save only cameras
// one may watch live; a view listed later shows an empty tile where a camera is no longer one's
// to watch (the view names cameras, it shows no footage: opening a tile is registered as a view).
// The wall on screen is kept the same way, one a person, so it comes back as they left it on any
// browser (the same rules: only cameras one may watch, a lost one an empty tile).
import type { Repositories } from '../db/repositories.js';
import type { CurrentWall, WallView } from '../db/wall-view.repository.js';
import type { Clock } from '../domain/clock.js';
import { Errors } from '../errors.js';
import type { Actor } from './actor.js';
import { can, hiddenRefusal } from './policy.js';
import type { SecurityLog } from './security-log.js';
import { cameraSubjects } from './subjects.js';

export const WALL_LAYOUTS = [1, 4, 9, 16] as const;
export const MAX_WALL_VIEWS = 50;
export const MAX_VIEW_NAME = 40;
/** The wall on screen keeps a camera on each of up to 16 tiles, whatever its layout shows now. */
export const MAX_WALL_TILES = 16;

export class WallViewService {
  constructor(
    private readonly repos: Repositories,
    private readonly log: SecurityLog,
    private readonly clock: Clock,
  ) {}

  async save(actor: Actor, v: { name: string; layout: number; tiles: (number | null)[] }): Promise<WallView> {
    const name = v.name.trim();
    if (!name || name.length > MAX_VIEW_NAME) throw Errors.validation(`a view's name has 1 to ${MAX_VIEW_NAME} characters`).withParams({ reason: 'wall-view-name', max: MAX_VIEW_NAME });
    if (!(WALL_LAYOUTS as readonly number[]).includes(v.layout)) throw Errors.validation('a wall has 1, 4, 9 or 16 tiles').withParams({ reason: 'wall-layout' });
    if (v.tiles.length > v.layout) throw Errors.validation(`a ${v.layout}-tile wall has at most ${v.layout} cameras`).withParams({ reason: 'wall-tiles', layout: v.layout });
    const mine = await this.repos.wallViews.listOf(actor.userId);
    if (mine.length >= MAX_WALL_VIEWS && !mine.some((m) => m.name === name)) throw Errors.conflict(`one keeps at most ${MAX_WALL_VIEWS} views`).withParams({ reason: 'wall-views-full', max: MAX_WALL_VIEWS });
    await this.onlyWatchable(actor, v.tiles, `wall view "${name}"`);
    return this.repos.wallViews.save({ ownerId: actor.userId, name, layout: v.layout, tiles: v.tiles, updatedAt: this.clock.now() });
  }

  /** One's own views, each tile one may no longer watch left empty. */
  async list(actor: Actor): Promise<WallView[]> {
    const views = await this.repos.wallViews.listOf(actor.userId);
    const watchable = await this.watchable(actor, [...new Set(views.flatMap((v) => v.tiles.filter((t): t is number => t !== null)))]);
    return views.map((v) => ({ ...v, tiles: v.tiles.map((t) => (t !== null && watchable.has(t) ? t : null)) }));
  }

  /** Removes one's own view; someone else's is the 404 a missing one gets, registered. */
  async remove(actor: Actor, id: number): Promise<void> {
    const v = await this.repos.wallViews.get(id);
    if (!v) throw Errors.notFound(`wall view ${id} does not exist`);
    if (v.ownerId !== actor.userId) await this.log.refuse(actor, { action: 'view', reason: `wall view ${id} is someone else's`, target: `wall view ${id}` }, hiddenRefusal(`wall view ${id} does not exist`));
    await this.repos.wallViews.remove(id, actor.userId);
  }

  /** The wall one last left on screen, each tile one may no longer watch left empty; none before the first. */
  async current(actor: Actor): Promise<CurrentWall | null> {
    const w = await this.repos.wallViews.current(actor.userId);
    if (!w) return null;
    const watchable = await this.watchable(actor, [...new Set(w.tiles.filter((t): t is number => t !== null))]);
    return { ...w, tiles: w.tiles.map((t) => (t !== null && watchable.has(t) ? t : null)) };
  }

  /** Keeps the wall as it is on screen now: the same rules as a saved view's cameras. */
  async keepCurrent(actor: Actor, w: { layout: number; tiles: (number | null)[] }): Promise<CurrentWall> {
    if (!(WALL_LAYOUTS as readonly number[]).includes(w.layout)) throw Errors.validation('a wall has 1, 4, 9 or 16 tiles').withParams({ reason: 'wall-layout' });
    if (w.tiles.length > MAX_WALL_TILES) throw Errors.validation(`a wall has at most ${MAX_WALL_TILES} tiles`).withParams({ reason: 'wall-tiles', layout: MAX_WALL_TILES });
    await this.onlyWatchable(actor, w.tiles, 'the wall on screen');
    const kept = { layout: w.layout, tiles: w.tiles, updatedAt: this.clock.now() };
    await this.repos.wallViews.setCurrent(actor.userId, kept);
    return kept;
  }

  /** Refuses (registered once, as the 404 a missing camera gets) a wall naming a camera one may not watch. */
  private async onlyWatchable(actor: Actor, tiles: (number | null)[], target: string): Promise<void> {
    const ids = [...new Set(tiles.filter((t): t is number => t !== null))];
    const watchable = await this.watchable(actor, ids);
    const refused = ids.filter((id) => !watchable.has(id));
    if (refused.length) {
      await this.log.refuse(actor, { action: 'view', cameraIds: refused, reason: `view-live refused on camera(s) ${refused.join(', ')}`, target }, hiddenRefusal(`camera ${refused[0]} does not exist`));
    }
  }

  private async watchable(actor: Actor, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const cameras = await this.repos.cameras.getMany(ids);
    const subjects = await cameraSubjects(this.repos, cameras);
    return new Set(cameras.filter((c) => can(actor, 'view-live', subjects.get(c.id)!)).map((c) => c.id));
  }
}
