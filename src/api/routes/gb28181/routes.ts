// GB/T 28181 channels from the console: PTZ (steer, zoom, presets), the device's own recordings
// for the playback timeline, and backfill (补录) of our gaps from them. Thin: the use cases
// decide and register.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { GbBackfillService } from '../../../gb28181/backfill.service.js';
import type { GbDeviceRecordsService } from '../../../gb28181/device-records.service.js';
import type { GbDevicePlaybackService } from '../../../gb28181/device-playback.service.js';
import type { GbPtzService } from '../../../gb28181/ptz.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, errorSchema } from '../common.schema.js';
import { streamToken } from '../live/routes.js';
import { hlsSessionRoutes } from '../live/hls-routes.js';
import { cameraParams, hlsOpened, sessionParams, tokenQuery, webrtcAnswer, webrtcOffer } from '../live/schema.js';
import { instant } from '../playback/schema.js';

export interface GbRouteDeps {
  ptz: GbPtzService;
  deviceRecords: GbDeviceRecordsService;
  backfill: GbBackfillService;
  /** Where this process has a stream hub (the API role). */
  devicePlayback?: GbDevicePlaybackService;
}

const devicePlaybackOpened = webrtcAnswer
  .extend({ from: z.number().describe('Start of the range asked of the device, epoch ms'), to: z.number().describe('Its end') })
  .describe('DevicePlaybackOpened');
const devicePlaybackHls = hlsOpened
  .extend({
    transcoded: z.boolean().describe('True when an H.265 device is transcoded to H.264 for this browser (the UI should say so)'),
    from: z.number().describe('Start of the range asked of the device, epoch ms'),
    to: z.number().describe('Its end'),
  })
  .describe('DevicePlaybackHls');
const devicePlaybackControl = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('pause') }),
    z.strictObject({ kind: z.literal('resume') }),
    z.strictObject({ kind: z.literal('seek'), atMs: z.number().int().nonnegative().describe('The instant to go to, epoch ms, inside the range') }),
    z.strictObject({ kind: z.literal('scale'), scale: z.number().positive().max(16).describe('Speed: 0.5, 1, 2, 4, 8…') }),
  ])
  .describe('DevicePlaybackControl');

const range = z.object({ startMs: z.number(), endMs: z.number() });
const span = z.strictObject({ from: instant.describe('Start (ISO 8601 or epoch ms)'), to: instant.describe('End; at most 7 days after from') });
const backfillJob = z
  .object({
    id: z.number(),
    cameraId: z.number(),
    channelId: z.string(),
    from: z.number(),
    to: z.number(),
    state: z.enum(['running', 'done', 'failed', 'interrupted']).describe('interrupted: the serving process stopped while it ran; ranges not complete were not kept'),
    pieces: z.array(range.extend({
      state: z.enum(['waiting', 'downloading', 'done', 'failed', 'nothing-new']),
      written: range.nullable().describe('What was written into the recording, marked as from the device'),
      fragments: z.number(),
      bytes: z.number(),
      error: z.string().nullable(),
    })).describe('Each range downloaded (s=Download): where we had a gap and the device a recording'),
    startedAt: z.number(),
    endedAt: z.number().nullable(),
    error: z.string().nullable(),
  })
  .describe('Backfill');

const ptzBody = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('move'),
    pan: z.enum(['left', 'right']).optional(),
    tilt: z.enum(['up', 'down']).optional(),
    zoom: z.enum(['in', 'out']).optional(),
    speed: z.number().int().min(0).max(255).optional().describe('Pan/tilt speed 0–255 (default 128)'),
    zoomSpeed: z.number().int().min(0).max(15).optional().describe('Zoom speed 0–15 (default 8)'),
  }),
  z.strictObject({ action: z.literal('stop') }),
  z.strictObject({ action: z.literal('preset'), op: z.enum(['set', 'goto', 'delete']), preset: z.number().int().min(1).max(255) }),
]);

export const gb28181Routes: FastifyPluginAsyncZod<GbRouteDeps> = async (app, d) => {
  const tags = ['gb28181'];

  app.post('/cameras/:cameraId/ptz', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Steer a GB/T 28181 camera: move (pan/tilt/zoom), stop, or a preset (DeviceControl PTZCmd); needs ptz:control on the camera, registered',
      params: cameraParams,
      body: ptzBody,
      response: { 200: z.object({ ptzCmd: z.string().describe('The 8-byte PTZCmd sent, hex') }).describe('PtzSent'), ...errorResponses },
    },
  }, async (req) => d.ptz.command(actorOf(req), req.params.cameraId, req.body));

  app.get('/cameras/:cameraId/ptz', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Whether the camera takes PTZ from this platform (a GB/T 28181 channel) and whether you may steer it',
      params: cameraParams,
      response: { 200: z.object({ gb28181: z.boolean(), mayControl: z.boolean() }).describe('PtzOffer'), ...errorResponses },
    },
  }, async (req) => d.ptz.offer(actorOf(req), req.params.cameraId));

  app.get('/cameras/:cameraId/device-records', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "The recordings the camera's GB/T 28181 device keeps (RecordInfo), for the timeline beside Vigil's own; needs playback of the camera",
      params: cameraParams,
      querystring: z.strictObject({ from: instant.describe('Start (ISO 8601 or epoch ms)'), to: instant.describe('End; at most 32 days after from') }),
      response: {
        200: z.object({
          cameraId: z.number(),
          channelId: z.string().nullable().describe('The GB/T 28181 channel; null for a camera of another kind, whose device keeps no recordings we can ask for (ranges empty)'),
          from: z.number(),
          to: z.number(),
          ranges: z.array(z.object({ startMs: z.number(), endMs: z.number(), source: z.literal('device'), type: z.string().nullable(), name: z.string().nullable() })).describe("The device's recordings, clipped to the span"),
        }).describe('DeviceRecords'),
        ...errorResponses,
      },
    },
  }, async (req) => d.deviceRecords.list(actorOf(req), req.params.cameraId, req.query.from, req.query.to));

  const playback = d.devicePlayback;
  if (playback) {
    const mediaErrors = { ...errorResponses, 401: errorSchema, 403: errorSchema, 502: errorSchema, 504: errorSchema };
    app.post('/cameras/:cameraId/device-playback/webrtc', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "Play the camera's GB/T 28181 device's own recording over WebRTC: INVITE s=Playback for the stream token's range, the SDP offer answered",
        description:
          'Needs a stream token of kind playback (POST /stream-tokens with from, to and source "device": the use is registered there, with the device as source) in ?token= or x-stream-token. ' +
          'The device not answering in time is 504 GB_DEVICE_NO_ANSWER, its refusal 502 GB_DEVICE_REFUSED. The session ends (BYE) on DELETE, when the browser leaves, or on revocation.',
        params: cameraParams,
        querystring: tokenQuery,
        body: webrtcOffer,
        response: { 201: devicePlaybackOpened, ...mediaErrors },
      },
    }, async (req, reply) => {
      const r = await playback.openWebRtc(streamToken(req), req.params.cameraId, req.body.sdp, req.ip);
      return reply.status(201).send({ sessionId: r.sessionId, ...r.answer, from: r.from, to: r.to });
    });

    app.post('/cameras/:cameraId/device-playback/hls', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "Play the camera's GB/T 28181 device's own recording over LL-HLS (the fallback where WebRTC cannot connect): INVITE s=Playback for the stream token's range, fMP4 parts",
        description:
          'Needs a stream token as the WebRTC route does. h265: whether the browser plays H.265 in Media Source Extensions; if not, an H.265 device is transcoded to H.264 (transcoded: true). ' +
          'Pause, seek and speed as for WebRTC (POST …/control). The session ends (BYE) on DELETE, or 30 s after the viewer\'s last request.',
        params: cameraParams,
        querystring: tokenQuery,
        body: z.strictObject({ h265: z.boolean().default(false).describe('The browser plays H.265 (hvc1) in Media Source Extensions') }),
        response: { 201: devicePlaybackHls, ...mediaErrors },
      },
    }, async (req, reply) => {
      const r = await playback.openHls(streamToken(req), req.params.cameraId, req.ip, req.body.h265);
      const base = req.url.split('/cameras/')[0];
      return reply.status(201).send({ sessionId: r.sessionId, playlistUrl: `${base}/device-playback/sessions/${r.sessionId}/index.m3u8`, ...(r.codec ? { codec: r.codec } : {}), transcoded: r.transcoded, from: r.from, to: r.to });
    });

    hlsSessionRoutes(app, { prefix: '/device-playback/sessions', tags, packager: (id) => playback.hls(id) });

    app.post('/device-playback/sessions/:sessionId/control', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Pause, resume, seek or change the speed of a device playback (MANSRTSP in SIP INFO); the session id is the credential',
        params: sessionParams,
        body: devicePlaybackControl,
        response: { 200: z.object({ sessionId: z.string(), from: z.number(), to: z.number() }).describe('DevicePlaybackState'), ...mediaErrors },
      },
    }, async (req) => playback.control(req.params.sessionId, req.body));

    app.get('/device-playback/sessions/:sessionId', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Whether a device playback still plays, and if it ended, why (device-silent: no RTP from the device and no BYE, so we hung up); the session id is the credential',
        description: 'An ended session is answered for ten minutes after its end, then 404 like one that never was.',
        params: sessionParams,
        response: {
          200: z
            .object({
              sessionId: z.string(),
              state: z.enum(['playing', 'paused', 'ended']),
              from: z.number(),
              to: z.number(),
              ended: z
                .object({
                  reason: z.enum(['device-silent', 'device-hung-up', 'closed', 'revoked']).describe('device-silent: the device stopped sending (we sent BYE); device-hung-up: it sent BYE or went offline; closed: by the viewer; revoked: the session or right ended'),
                  message: z.string(),
                  at: z.number().describe('When it ended, epoch ms'),
                })
                .optional(),
            })
            .describe('DevicePlaybackSession'),
          ...errorResponses,
        },
      },
    }, async (req) => playback.state(req.params.sessionId));

    app.delete('/device-playback/sessions/:sessionId', {
      config: { access: 'public' },
      schema: { tags, summary: 'End a device playback (BYE to the device)', params: sessionParams, response: { 204: z.null(), ...errorResponses } },
    }, async (req, reply) => {
      playback.close(req.params.sessionId);
      return reply.status(204).send(null);
    });
  }

  app.get('/cameras/:cameraId/backfill-plan', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "What a backfill (补录) of the span would download: the gaps of our recording, the device's recordings, and where they meet; needs playback of the camera",
      params: cameraParams,
      querystring: span,
      response: {
        200: z.object({ cameraId: z.number(), channelId: z.string(), from: z.number(), to: z.number(), gaps: z.array(range), device: z.array(range), pieces: z.array(range).describe('What would be downloaded') }).describe('BackfillPlan'),
        ...errorResponses,
      },
    },
  }, async (req) => d.backfill.plan(actorOf(req), req.params.cameraId, req.query.from, req.query.to));

  app.post('/cameras/:cameraId/backfills', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "Backfill (补录) the gaps of our recording in the span from the GB/T 28181 device's own recording: 202, downloaded in the background, written as footage marked as from the device; never over footage we hold; registered",
      params: cameraParams,
      body: span,
      response: { 202: backfillJob, ...errorResponses },
    },
  }, async (req, reply) => reply.status(202).send(await d.backfill.start(actorOf(req), req.params.cameraId, req.body.from, req.body.to)));

  app.get('/cameras/:cameraId/backfills', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "The camera's backfills (the last 100), newest first, with each range's state; kept across restarts",
      params: cameraParams,
      response: { 200: z.object({ items: z.array(backfillJob) }).describe('Backfills'), ...errorResponses },
    },
  }, async (req) => ({ items: await d.backfill.list(actorOf(req), req.params.cameraId) }));
};
