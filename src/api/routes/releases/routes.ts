// Release (公开发布, CN799-22) over HTTP: start the masking under an approved release request (202,
// in the background), follow it, review it (manual regions, false tracks, style → masked again),
// approve it, cancel it; watch the masked clip through a single-use stream token; take the
// released file and its manifest. Who may do which is release.service.ts's to decide (and register).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReleaseService } from '../../../release/release.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import { streamToken } from '../live/routes.js';

const box = z.object({ x: z.number(), y: z.number(), w: z.number().positive(), h: z.number().positive() });
const manual = z.object({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative(), box, toBox: box.optional() });
const style = z.enum(['solid', 'pixelate', 'blur']);

const releaseSchema = z
  .object({
    id: z.number(),
    requestId: z.number(),
    cameraId: z.number(),
    from: z.number(),
    to: z.number(),
    state: z.enum(['masking', 'review', 'released', 'failed', 'cancelled']),
    style,
    manual: z.array(manual),
    removedTracks: z.array(z.number()),
    tracks: z.array(z.object({
      id: z.number(), kind: z.enum(['text', 'face', 'manual']), firstFrame: z.number(), lastFrame: z.number(), step: z.number().optional(),
      sightings: z.array(z.object({ frame: z.number(), x: z.number(), y: z.number(), w: z.number(), h: z.number() })),
    })).describe('What the detectors found, each track with its sightings (frames of the masked clip)'),
    framesTotal: z.number(),
    framesDone: z.number(),
    runs: z.number(),
    caption: z.string().nullable().describe('The notice burned into every frame'),
    captionProfile: z.string().nullable().describe('The jurisdiction profile whose wording (releaseCaption) the notice carries'),
    fileSha256: z.string().nullable(),
    manifestSha256: z.string().nullable(),
    error: z.string().nullable(),
    createdBy: z.number(),
    createdAt: z.number(),
    approvedBy: z.number().nullable(),
    approvedAt: z.number().nullable(),
    purpose: z.string(),
    channel: z.string().describe('The public channel (去向)'),
  })
  .describe('Release');

export const releaseRoutes: FastifyPluginAsyncZod<{ releases: ReleaseService }> = async (app, { releases }) => {
  const tags = ['releases'];

  app.post('/releases', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Start masking a camera\'s range under an approved release request (its requester); 202, then follow GET /releases/{id}',
      body: z.strictObject({
        requestId: z.number().int().positive(), cameraId: z.number().int().positive(), from: z.number().int().nonnegative(), to: z.number().int().nonnegative(),
        style: style.optional(), caption: z.boolean().optional().describe('Burn in the notice worded by the jurisdiction profile (releaseCaption; default true)'),
      }),
      response: { 202: releaseSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(202).send(await releases.start(actorOf(req), req.body)));

  app.get('/access-requests/:id/releases', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'The releases made under a release request', params: idParams, response: { 200: z.array(releaseSchema), ...errorResponses } },
  }, async (req) => releases.ofRequest(actorOf(req), req.params.id));

  app.get('/releases/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'A release: its state, progress, the tracks found and the masks', params: idParams, response: { 200: releaseSchema, ...errorResponses } },
  }, async (req) => releases.view(actorOf(req), req.params.id));

  app.put('/releases/:id/review', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Change the masks in review (regions added by hand, tracks removed as false, the style) and mask again; 202',
      params: idParams,
      body: z.strictObject({ manual: z.array(manual).max(200).optional(), removeTracks: z.array(z.number().int()).max(1000).optional(), style: style.optional() }),
      response: { 202: releaseSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(202).send(await releases.revise(actorOf(req), req.params.id, req.body)));

  app.post('/releases/:id/approve', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Approve the masked clip for release (the custodian\'s head, not the requester); writes the manifest', params: idParams, response: { 200: releaseSchema, ...errorResponses } },
  }, async (req) => releases.approve(actorOf(req), req.params.id));

  app.delete('/releases/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel a running masking (its starter); nothing half-written is left', params: idParams, response: { 200: releaseSchema, ...errorResponses } },
  }, async (req) => releases.cancel(actorOf(req), req.params.id));

  app.post('/releases/:id/clip-token', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'A single-use stream token for the masked clip (in review or released); the viewing is registered',
      params: idParams,
      response: { 200: z.object({ token: z.string(), expiresAt: z.number(), url: z.string() }), ...errorResponses },
    },
  }, async (req) => {
    const t = await releases.clipToken(actorOf(req), req.params.id);
    return { ...t, url: `/api/v1/releases/${req.params.id}/clip.mp4?token=${encodeURIComponent(t.token)}` };
  });

  app.get('/releases/:id/clip.mp4', {
    config: { access: 'public' },
    schema: { tags, summary: 'The masked clip, whole, with a stream token (kind release)', params: idParams, querystring: z.object({ token: z.string().optional() }), produces: ['video/mp4'] },
  }, async (req, reply) => {
    const path = await releases.clipFile(req.params.id, streamToken(req) ?? '', req.ip);
    const size = (await stat(path)).size;
    return reply.header('content-type', 'video/mp4').header('content-length', String(size)).header('cache-control', 'no-store').send(createReadStream(path));
  });

  for (const what of ['clip', 'manifest'] as const) {
    app.get(`/releases/:id/${what === 'clip' ? 'file' : 'manifest'}`, {
      config: { access: 'signed-in' },
      schema: {
        tags,
        summary: what === 'clip' ? 'The released (masked) file, once approved, for the public channel; registered' : 'The released file\'s manifest (original fragments, proofs, masks); registered',
        params: idParams,
        produces: [what === 'clip' ? 'video/mp4' : 'application/json'],
      },
    }, async (req, reply) => {
      const f = await releases.handOut(actorOf(req), req.params.id, what);
      const size = (await stat(f.path)).size;
      return reply
        .header('content-type', what === 'clip' ? 'video/mp4' : 'application/json')
        .header('content-length', String(size))
        .header('content-disposition', `attachment; filename="${f.name}"`)
        .send(createReadStream(f.path));
    });
  }
};
