// Legal holds (信息保全, R4.3) over HTTP: place, list, read, ask for release, approve release.
// The gate is 'signed-in' because the right is "may retrieve or approve within the camera's
// scope" (src/retention/hold.policy.ts), which no single permission expresses; the service and
// the per-camera checks below decide, and register every refusal.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../../access/actor.js';
import { can } from '../../../access/policy.js';
import type { HoldState } from '../../../db/evidence.repository.js';
import { Errors } from '../../../errors.js';
import { toHoldView } from '../../../retention/legal-hold.service.js';
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

const HOLD_PERMISSIONS = ['footage:retrieve', 'access-request:approve', 'audit:read'] as const;

export const holdRoutes: FastifyPluginAsyncZod<EvidenceRouteOptions> = async (app, { access, holds, repos }) => {
  const tags = ['legal holds'];

  /** read-holds on the hold's camera, or a registered refusal. */
  const mayRead = async (actor: Actor, cameraId: number, target: string) => {
    if (!can(actor, 'read-holds', await access.subjects.camera(cameraId))) {
      await access.log.refuse(actor, { action: 'legal_hold', cameraIds: [cameraId], target, reason: `you may not read the holds of camera ${cameraId}` }, Errors.forbidden(`you may not read the holds of camera ${cameraId}`));
    }
  };

  app.get('/holds', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Legal holds on the cameras in your reach (one camera with cameraId)', querystring: listQuery, response: { 200: z.object({ items: z.array(holdSchema) }), ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const { cameraId, state } = req.query;
    let items = cameraId !== undefined ? await holds.list(actor, cameraId) : [];
    if (cameraId === undefined) {
      if (!HOLD_PERMISSIONS.some((p) => actor.holds(p))) {
        await access.log.refuse(actor, { action: 'legal_hold', target: 'GET /holds', reason: 'you may not read legal holds' }, Errors.forbidden('you may not read legal holds'));
      }
      const states: HoldState[] = state ? [state] : ['active', 'release_requested', 'released'];
      const rows = (await repos.evidence.holds(states)).map(toHoldView);
      const cameras = (await Promise.all([...new Set(rows.map((h) => h.cameraId))].map((id) => repos.cameras.get(id)))).filter((c) => c !== undefined);
      const subjects = await access.subjects.cameras(cameras);
      items = rows.filter((h) => {
        const s = subjects.get(h.cameraId);
        return s !== undefined && can(actor, 'read-holds', s);
      });
    }
    return { items: items.filter((h) => !state || h.state === state).sort((a, b) => b.placedAt - a.placedAt || b.id - a.id) };
  });

  app.post('/holds', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Place a legal hold on a camera and an optional range, with a case reference', body: newHoldSchema, response: { 201: holdSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await holds.place(actorOf(req), req.body)));

  app.get('/holds/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One legal hold', params: idParams, response: { 200: holdSchema, ...errorResponses } },
  }, async (req) => {
    const hold = await holds.get(req.params.id);
    await mayRead(actorOf(req), hold.cameraId, `legal-hold:${hold.id}`);
    return hold;
  });

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
