// Legal holds (信息保全, R4.3) over HTTP: place, list, read, ask for release, approve release.
// The gate is 'signed-in' because the right is "may retrieve or approve within the camera's
// scope" (src/retention/hold.policy.ts), which no single permission expresses;
// legal-hold.service.ts decides, and registers every refusal.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import type { EvidenceRouteOptions } from '../integrity/evidence-deps.js';

const holdSchema = z
  .object({
    id: z.number(),
    cameraId: z.number(),
    from: z.number().nullable(),
    to: z.number().nullable(),
    caseRef: z.string(),
    reason: z.string(),
    state: z.enum(['active', 'release_requested', 'released']),
    placedBy: z.number(),
    placedAt: z.number(),
    releaseRequestedBy: z.number().nullable(),
    releaseReason: z.string().nullable(),
    releasedBy: z.number().nullable(),
    releasedAt: z.number().nullable(),
  })
  .describe('LegalHold');

const newHoldSchema = z.strictObject({
  cameraId: z.number().int().positive(),
  /** Epoch ms; both null: the whole camera. */
  from: z.number().int().nonnegative().nullable().default(null),
  to: z.number().int().nonnegative().nullable().default(null),
  caseRef: z.string().trim().min(1).max(200).describe('Case reference (案件编号) the hold serves'),
  reason: z.string().max(2000).default(''),
});

const listQuery = z.strictObject({
  cameraId: z.coerce.number().int().positive().optional(),
  state: z.enum(['active', 'release_requested', 'released']).optional(),
});

export const holdRoutes: FastifyPluginAsyncZod<EvidenceRouteOptions> = async (app, { holds }) => {
  const tags = ['legal holds'];

  app.get('/holds', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Legal holds on the cameras in your reach (one camera with cameraId)', querystring: listQuery, response: { 200: z.object({ items: z.array(holdSchema) }), ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const { cameraId, state } = req.query;
    let items = cameraId !== undefined ? await holds.list(actor, cameraId) : [];
    if (cameraId === undefined) items = await holds.listInReach(actor, state ? [state] : ['active', 'release_requested', 'released'], 'GET /holds');
    return { items: items.filter((h) => !state || h.state === state).sort((a, b) => b.placedAt - a.placedAt || b.id - a.id) };
  });

  app.post('/holds', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Place a legal hold on a camera and an optional range, with a case reference', body: newHoldSchema, response: { 201: holdSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await holds.place(actorOf(req), req.body)));

  app.get('/holds/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One legal hold', params: idParams, response: { 200: holdSchema, ...errorResponses } },
  }, async (req) => holds.view(actorOf(req), req.params.id));

  app.post('/holds/:id/release-request', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Ask for a hold to be released, saying why; another person with approval authority must approve',
      params: idParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(2000) }),
      response: { 200: holdSchema, ...errorResponses },
    },
  }, async (req) => holds.requestRelease(actorOf(req), req.params.id, req.body.reason));

  app.post('/holds/:id/release-approval', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Approve a requested release (not by the one who asked)', params: idParams, response: { 200: holdSchema, ...errorResponses } },
  }, async (req) => holds.approveRelease(actorOf(req), req.params.id));
};
