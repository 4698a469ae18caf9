// Playback by camera and wall-clock time: a plan (JSON) plus an HLS VOD playlist over the
// original fragments, served byte for byte. Speeds and frame stepping are the media element's;
// the plan tells the client where every fragment lies on the wall clock, and nextFromMs lets it
// fetch ahead.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PlaybackService } from '../../../playback/playback-service.js';
import type { PlaybackPlan } from '../../../playback/playback-plan.js';
import { errorResponses, errorSchema } from '../common.schema.js';
import { cameraParams, sessionParams } from '../live/schema.js';
import { streamToken } from '../live/routes.js';
import { planSchema, rangeQuery, sessionRangeQuery } from './schema.js';

const mediaErrors = { ...errorResponses, 401: errorSchema, 403: errorSchema };

function planBody(base: string, sessionId: string, plan: PlaybackPlan) {
  const root = `${base}/playback/sessions/${sessionId}`;
  const q = `from=${plan.requestedMs}${plan.nextFromMs !== null || plan.segments.length ? `&to=${plan.endMs + 1}` : ''}`;
  return {
    sessionId,
    playlistUrl: `${root}/index.m3u8?${q}`,
    ...plan,
    segments: plan.segments.map((s) => ({
      fileId: s.fileId, seq: s.seq, startMs: s.startMs, endMs: s.endMs, keyframe: s.keyframe, size: s.size, sha256: s.sha256,
      mediaStartS: s.mediaStartS, discontinuity: s.discontinuity, url: `${root}/files/${s.fileId}/${s.seq}.m4s`,
    })),
  };
}

export const playbackRoutes: FastifyPluginAsyncZod<{ playback: PlaybackService }> = async (app, { playback }) => {
  const tags = ['playback'];
  const base = (url: string) => url.split('/playback/')[0]!;

  app.get('/playback/:cameraId', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Open playback of a camera at a wall-clock instant: the plan of fragments, gaps and the offset to seek to',
      description: 'Starts at the keyframe fragment at or before `from` and reports `offsetS` to the instant; continuous across files; gaps skipped and listed. Needs a stream token (kind playback) whose range covers the request.',
      params: cameraParams,
      querystring: rangeQuery,
      response: { 200: planSchema, ...mediaErrors },
    },
  }, async (req) => {
    const { sessionId, plan } = await playback.open(streamToken(req), req.params.cameraId, req.query.from, req.query.to, req.ip);
    return planBody(base(req.url), sessionId, plan);
  });

  app.get('/playback/sessions/:sessionId/plan', {
    config: { access: 'public' },
    schema: { tags, summary: 'Another plan in an open playback session (seek, fetch ahead)', params: sessionParams, querystring: sessionRangeQuery, response: { 200: planSchema, ...mediaErrors } },
  }, async (req) => planBody(base(req.url), req.params.sessionId, await playback.plan(req.params.sessionId, req.query.from, req.query.to)));

  app.get('/playback/sessions/:sessionId/index.m3u8', {
    config: { access: 'public' },
    schema: { tags, summary: 'HLS VOD playlist of a plan (EXT-X-START at the requested instant, discontinuities at files and gaps)', params: sessionParams, querystring: sessionRangeQuery, produces: ['application/vnd.apple.mpegurl'] },
  }, async (req, reply) => {
    const text = await playback.playlist(req.params.sessionId, req.query.from, req.query.to);
    return reply.header('content-type', 'application/vnd.apple.mpegurl').header('cache-control', 'no-store').send(text);
  });

  const fileParams = sessionParams.extend({ fileId: z.coerce.number().int().positive() });
  const startQuery = z.object({
    startSeq: z.coerce.number().int().nonnegative().optional().describe('Serve the viewing copy that starts at decode time zero at this fragment of the file (the playlist asks so); absent: the bytes as recorded'),
  });

  app.get('/playback/sessions/:sessionId/files/:fileId/init.mp4', {
    config: { access: 'public' },
    schema: { tags, summary: 'Init segment (ftyp+moov) of a recording file, as written (with startSeq: creation time set to that fragment\'s start)', params: fileParams, querystring: startQuery, produces: ['video/mp4'] },
  }, async (req, reply) => reply.header('content-type', 'video/mp4').header('cache-control', 'private, max-age=3600').send(await playback.init(req.params.sessionId, req.params.fileId, req.query.startSeq)));

  app.get('/playback/sessions/:sessionId/files/:fileId/:name', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'One recorded fragment (moof+mdat), checked against its SHA-256 first (409 if the file was altered): byte for byte, or with startSeq its decode times counted from that fragment',
      params: fileParams.extend({ name: z.string().regex(/^\d+\.m4s$/) }),
      querystring: startQuery,
      produces: ['video/iso.segment'],
    },
  }, async (req, reply) => {
    const bytes = await playback.fragment(req.params.sessionId, req.params.fileId, parseInt(req.params.name, 10), req.query.startSeq);
    return reply.header('content-type', 'video/iso.segment').header('cache-control', 'private, max-age=3600').send(bytes);
  });

  app.delete('/playback/sessions/:sessionId', {
    config: { access: 'public' },
    schema: { tags, summary: 'End a playback session', params: sessionParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    playback.register.use(req.params.sessionId, { transport: 'playback' });
    playback.register.close(req.params.sessionId, 'closed by the viewer');
    return reply.status(204).send(null);
  });
};
