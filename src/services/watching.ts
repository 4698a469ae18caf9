// Live view, playback and the timeline for a process role that serves the API: the process's
// stream hub (process-hub.ts), the stream register checked by the access rules, and the
// recording index read from the shared database.
import { streamAuthority } from '../access/stream-authority.js';
import type { MediaRouteDeps } from '../api/routes/live/media-plugin.js';
import { RecordingIndex } from '../db/recording-index.repository.js';
import { PlaybackService } from '../playback/playback-service.js';
import { TimelineService } from '../playback/timeline-service.js';
import type { Context } from './context.js';
import { footageReaderOf } from './object-storage.js';
import { joinProcessHub } from './process-hub.js';
import { absoluteFootagePath } from '../storage/footage-reader.js';
import { LiveService } from '../live/live-service.js';
import { StreamRegister } from '../live/stream-register.js';

export function openWatching(ctx: Context): { media: MediaRouteDeps; close(): Promise<void> } {
  const logger = ctx.logger.child({ role: 'watching' });
  const register = new StreamRegister(streamAuthority(ctx.access));
  // The process's hub, shared with the cascade role when it runs here (process-hub.ts).
  const shared = joinProcessHub(ctx);
  const live = new LiveService(shared.hub, register, { logger, webrtc: { pathMtu: ctx.config.live.pathMtu }, closesHub: false });
  const index = new RecordingIndex(ctx.db.kysely);
  const playback = new PlaybackService(index, footageReaderOf(ctx, (p) => absoluteFootagePath(ctx.config.dataDir, p)), register);
  const timeline = new TimelineService(index, ctx.repos.fencedFootage, () => ctx.clock.now());
  return {
    media: { live, playback, timeline },
    close: async () => {
      await live.close();
      await shared.leave();
    },
  };
}
