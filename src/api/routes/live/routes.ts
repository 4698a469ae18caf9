// Live view: WebRTC (WHEP-style, the default, sub-second) and LL-HLS (the fallback). Opening a
// stream needs a stream token for the camera (kind "live"); the opened stream is registered and
// closes when its session, token, role or account is revoked. The stream token (issued by
// POST /stream-tokens, which checks and registers the use) is the credential of these routes, so
// they are 'public' to the session gate; later requests name the opened session's unguessable id.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiveService } from '../../../live/live-service.js';
import { errorResponses, errorSchema } from '../common.schema.js';
import { hlsSessionRoutes } from './hls-routes.js';
import { cameraParams, hlsOpened, openStreamSchema, sessionParams, tokenQuery, webrtcAnswer, webrtcOffer } from './schema.js';

const mediaErrors = { ...errorResponses, 401: errorSchema, 403: errorSchema, 502: errorSchema, 504: errorSchema };

export function streamToken(req: { query: unknown; headers: Record<string, string | string[] | undefined> }): string | undefined {
  const q = (req.query as { token?: string } | undefined)?.token;
  const h = req.headers['x-stream-token'];
  return q ?? (typeof h === 'string' ? h : undefined);
}

export const liveRoutes: FastifyPluginAsyncZod<{ live: LiveService }> = async (app, { live }) => {
  const tags = ['live'];
  app.addContentTypeParser('application/sdp', { parseAs: 'string', bodyLimit: 65536 }, (_req, body, done) => done(null, { sdp: body }));

  app.post('/live/:cameraId/webrtc', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Open live view over WebRTC: post the SDP offer (JSON {sdp} or application/sdp), get the answer',
      description:
        'WHEP-style signalling without trickle ICE: the answer carries every host candidate (loopback included; no STUN/TURN). H.264 is sent as the camera encodes it. ' +
        'An H.265 camera is sent as is to a browser that offers H.265, otherwise one shared ffmpeg per camera transcodes it to H.264 (transcoded: true). ' +
        'Needs a stream token (kind live) in ?token= or x-stream-token. The Location header names the session for DELETE.',
      params: cameraParams,
      querystring: tokenQuery,
      body: webrtcOffer,
      response: { 201: webrtcAnswer, ...mediaErrors },
    },
  }, async (req, reply) => {
    const { sessionId, answer } = await live.openWebRtc(streamToken(req), req.params.cameraId, req.body.sdp, req.ip);
    reply.header('location', `${req.url.split('/live/')[0]}/live/sessions/${sessionId}`);
    return reply.status(201).send({ sessionId, ...answer });
  });

  app.get('/live/:cameraId/hls', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Open live view over LL-HLS (fallback): returns the session\'s playlist URL',
      description: 'fMP4 parts of about 400 ms, a segment per GOP, blocking playlist reload (_HLS_msn/_HLS_part). Needs a stream token (kind live). The session ends 30 s after its last request.',
      params: cameraParams,
      querystring: tokenQuery,
      response: { 200: hlsOpened, ...mediaErrors },
    },
  }, async (req) => {
    const { sessionId, codec } = await live.openHls(streamToken(req), req.params.cameraId, req.ip);
    const base = req.url.split('/live/')[0];
    return { sessionId, playlistUrl: `${base}/live/sessions/${sessionId}/index.m3u8`, ...(codec ? { codec } : {}) };
  });

  hlsSessionRoutes(app, { prefix: '/live/sessions', tags, packager: (id) => live.hls(id) });

  app.delete('/live/sessions/:sessionId', {
    config: { access: 'public' },
    schema: { tags, summary: 'End a live viewing session (WebRTC or HLS)', params: sessionParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    live.register.use(req.params.sessionId);
    live.closeSession(req.params.sessionId);
    return reply.status(204).send(null);
  });

  app.get('/live/streams', {
    config: { access: 'audit:read' },
    schema: {
      tags,
      summary: 'Streams open now (live, playback, re-stream), optionally for one camera',
      querystring: z.strictObject({ cameraId: z.coerce.number().int().positive().optional() }),
      response: { 200: z.object({ items: z.array(openStreamSchema), hub: z.object({ feeds: z.number(), viewers: z.number(), sourcesOpened: z.number() }) }) },
    },
  }, async (req) => ({ items: live.register.list(req.query.cameraId !== undefined ? { cameraId: req.query.cameraId } : {}), hub: live.hub.stats() }));
};
