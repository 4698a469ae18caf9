// Force-majeure marks on camera outages (HRB-25(3)): list, propose, confirm. The rules (reason,
// span, overlap, a second person confirms) live in ForceMajeureService; both steps need the
// 'maintain' policy on the camera and are registered in the access register.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../../../access/policy.js';
import type { ForceMajeureMark } from '../../../db/force-majeure.repository.js';
import { REASON_MAX } from '../../../health/force-majeure.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import { cameraWith, watched, type HealthRouteDeps } from '../health-status/support.js';

export const forceMajeureMark = z.object({
  id: z.number(), cameraId: z.number(), from: z.number(), to: z.number(), reason: z.string(), article: z.string(), profileId: z.string(),
  proposedBy: z.number(), proposedAt: z.number(), confirmedBy: z.number().nullable(), confirmedAt: z.number().nullable(),
});

export const markView = (m: ForceMajeureMark) => ({ ...m });

export const forceMajeureRoutes: FastifyPluginAsyncZod<HealthRouteDeps> = async (app, d) => {
  const tags = ['camera health'];

  app.get('/force-majeure', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Force-majeure marks (HRB-25(3)) on the cameras one may see, newest first',
      querystring: z.strictObject({ cameraId: z.coerce.number().int().positive().optional(), state: z.enum(['proposed', 'confirmed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(forceMajeureMark) }), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const rows = await d.health.forceMajeure.list({ ...(req.query.cameraId ? { cameraIds: [req.query.cameraId] } : {}), ...(req.query.state ? { state: req.query.state } : {}), limit: req.query.limit });
    const cameras = await Promise.all([...new Set(rows.map((r) => r.cameraId))].map((id) => d.registry.cameras.get(id).catch(() => undefined)));
    const subjects = await d.access.subjects.cameras(cameras.filter((c) => c !== undefined));
    return { items: rows.filter((r) => subjects.has(r.cameraId) && can(actor, 'read-health', subjects.get(r.cameraId)!)).map(markView) };
  });

  app.post('/cameras/:id/force-majeure', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "Propose marking a camera's outage span as force majeure (不可抗力, HRB-25(3)) with a reason; it counts only once a second person confirms it",
      params: idParams,
      body: z.strictObject({ from: z.number().int().nonnegative(), to: z.number().int().positive(), reason: z.string().min(1).max(REASON_MAX) }),
      response: { 201: forceMajeureMark, ...errorResponses },
    },
  }, async (req, reply) => {
    const { camera, actor } = await cameraWith(d, req, req.params.id, 'maintain', 'config_change');
    const mark = await d.health.forceMajeure.propose(actor, watched(camera), req.body);
    return reply.status(201).send(markView(mark));
  });

  app.post('/force-majeure/:id/confirm', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Confirm a proposed force-majeure mark: by a person other than its proposer (HRB-25(3)); from then on the span leaves the rates',
      params: idParams,
      response: { 200: forceMajeureMark, ...errorResponses },
    },
  }, async (req) => {
    const m = await d.health.forceMajeure.get(req.params.id);
    const { actor } = await cameraWith(d, req, m.cameraId, 'maintain', 'config_change', `force-majeure mark ${m.id} does not exist`);
    return markView(await d.health.forceMajeure.confirm(actor, m.id));
  });
};
