// Bookmarks on footage (issue 20): an instant of a camera marked with a note, kept on the server
// so it follows its maker to any desk. A bookmark is its maker's alone: nobody else lists or
// removes it. One may bookmark only footage one may play back, and a bookmark on a camera one no
// longer may play back is no longer listed (it names the camera and an instant, not footage: the
// footage is registered when it is played, not when its bookmark is listed).
import type { Repositories } from '../db/repositories.js';
import type { Bookmark } from '../db/bookmark.repository.js';
import type { Clock } from '../domain/clock.js';
import { Errors } from '../errors.js';
import type { Actor } from './actor.js';
import type { FootageAccess } from './footage-access.js';
import { hiddenRefusal } from './policy.js';
import type { SecurityLog } from './security-log.js';

export const MAX_BOOKMARK_NOTE = 200;
/** A bookmark marks footage that exists: not an instant ahead of the clock (beyond clock skew). */
const FUTURE_SKEW_MS = 60_000;

export class BookmarkService {
  constructor(
    private readonly repos: Repositories,
    private readonly footage: FootageAccess,
    private readonly log: SecurityLog,
    private readonly clock: Clock,
  ) {}

  async add(actor: Actor, b: { cameraId: number; at: number; note: string }): Promise<Bookmark> {
    const note = b.note.trim();
    if (note.length > MAX_BOOKMARK_NOTE) throw Errors.validation(`a bookmark's note has at most ${MAX_BOOKMARK_NOTE} characters`).withParams({ reason: 'bookmark-note-long', max: MAX_BOOKMARK_NOTE });
    if (b.at > this.clock.now() + FUTURE_SKEW_MS) throw Errors.validation('a bookmark marks footage already recorded, not a time ahead').withParams({ reason: 'bookmark-in-future' });
    await this.mayPlayBack(actor, b.cameraId, 'bookmark');
    return this.repos.bookmarks.insert({ ownerId: actor.userId, cameraId: b.cameraId, at: b.at, note, createdAt: this.clock.now() });
  }

  /** One's own bookmarks (on some cameras, within a range), on cameras one may still play back. */
  async list(actor: Actor, f: { cameraIds?: number[]; from?: number; to?: number }): Promise<Bookmark[]> {
    const mine = await this.repos.bookmarks.listOf(actor.userId, f);
    const playable = new Set<number>();
    for (const cameraId of new Set(mine.map((b) => b.cameraId))) {
      if (await this.footage.mayReadTimeline(actor, cameraId).then(() => true, () => false)) playable.add(cameraId);
    }
    return mine.filter((b) => playable.has(b.cameraId));
  }

  /** Removes one's own bookmark; someone else's is the 404 a missing one gets, registered. */
  async remove(actor: Actor, id: number): Promise<void> {
    const b = await this.repos.bookmarks.get(id);
    if (!b) throw Errors.notFound(`bookmark ${id} does not exist`);
    if (b.ownerId !== actor.userId) {
      await this.log.refuse(actor, { action: 'playback', cameraIds: [b.cameraId], reason: `bookmark ${id} is someone else's`, target: `bookmark ${id}` }, hiddenRefusal(`bookmark ${id} does not exist`));
    }
    await this.repos.bookmarks.remove(id, actor.userId);
  }

  /** The refusal of the timeline, registered once here. */
  private async mayPlayBack(actor: Actor, cameraId: number, what: string): Promise<void> {
    try {
      await this.footage.mayReadTimeline(actor, cameraId);
    } catch (e) {
      await this.log.refuse(actor, { action: 'playback', cameraIds: [cameraId], target: `${what} on camera ${cameraId}` }, e as Error);
    }
  }
}
