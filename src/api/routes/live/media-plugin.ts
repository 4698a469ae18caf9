// The watching routes (live, playback, timeline) as one plugin, registered by buildApp inside
// the gated /api/v1 scope when the process role has a media plane (AppDeps.media).
import type { FastifyInstance } from 'fastify';
import type { Access } from '../../../access/index.js';
import type { LiveService } from '../../../live/live-service.js';
import type { PlaybackService } from '../../../playback/playback-service.js';
import type { TimelineService } from '../../../playback/timeline-service.js';
import { actorOf } from '../../plugins/auth.js';
import { playbackRoutes } from '../playback/routes.js';
import { timelineRoutes, type CameraGate } from '../timeline/routes.js';
import { liveRoutes } from './routes.js';

export interface MediaRouteDeps {
  live?: LiveService;
  playback?: PlaybackService;
  timeline?: TimelineService;
}

export async function watchRoutes(api: FastifyInstance, deps: MediaRouteDeps, access: Access): Promise<void> {
  // Duty operators by role; investigators as parties to an approved request (footage-access.ts).
  const mayPlayBack: CameraGate = async (req, cameraId) => access.footage.mayReadTimeline(actorOf(req), cameraId);
  if (deps.live) await api.register(liveRoutes, { live: deps.live });
  if (deps.playback) await api.register(playbackRoutes, { playback: deps.playback });
  if (deps.timeline) await api.register(timelineRoutes, { timeline: deps.timeline, mayPlayBack });
}
