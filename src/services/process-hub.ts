// The one stream hub of a process (issue 19): the roles that watch cameras — the api role's live
// view, the upward cascade — join the same hub, so a camera both of them watch is opened once and
// its GOP kept once. A camera the recorder of this process records, or on PostgreSQL another node
// holds, is taken from there (live-relay.ts). The hub lives while some role uses it: the last role
// to leave closes it.
import { StreamHub } from '../live/stream-hub.js';
import type { Context } from './context.js';
import { liveRelayOf } from './live-relay.js';

interface Shared {
  hub: StreamHub;
  users: number;
}

const hubs = new WeakMap<Context, Shared>();

export interface ProcessHub {
  readonly hub: StreamHub;
  /** This role no longer uses the hub; the last to leave closes it. Idempotent. */
  leave(): Promise<void>;
}

export function joinProcessHub(ctx: Context): ProcessHub {
  let shared = hubs.get(ctx);
  if (!shared) {
    const logger = ctx.logger.child({ role: 'stream-hub' });
    shared = { hub: new StreamHub({ sourceUrl: async (id) => (await ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, sources: ctx.sources, logger, relay: liveRelayOf(ctx) }), users: 0 };
    hubs.set(ctx, shared);
  }
  const s = shared;
  s.users++;
  let left = false;
  return {
    hub: s.hub,
    async leave() {
      if (left) return;
      left = true;
      if (--s.users > 0) return;
      if (hubs.get(ctx) === s) hubs.delete(ctx);
      await s.hub.close();
    },
  };
}
