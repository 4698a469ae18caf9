// Camera status minute by minute, and rate trends by week (issue 7 §1).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cameraWith, reachFilter, watched, type HealthRouteDeps } from './support.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const ratesSchema = z.object({ cameras: z.number(), goodCameras: z.number(), onlineMs: z.number(), totalMs: z.number(), excludedMs: z.number(), excusedCameras: z.number(), onlineRate: z.number().nullable(), goodRate: z.number().nullable() });
const state = z.enum(['streaming', 'online', 'offline']);

export const healthStatusRoutes: FastifyPluginAsyncZod<HealthRouteDeps> = async (app, d) => {
  const tags = ['camera health'];

  app.get('/health/cameras/:id/status', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "A camera's state now and minute by minute over a day (streaming / online / offline), its online rate and whether it is good",
      params: idParams,
      querystring: z.strictObject({ day: day.optional() }),
      response: {
        200: z.object({
          cameraId: z.number(), day: z.string(), state, minutes: z.array(state), onlineRate: z.number().nullable(), good: z.boolean(),
          lastDiagnostic: z.object({ id: z.number(), at: z.number(), ok: z.boolean(), findings: z.array(z.string()) }).nullable(),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => {
    const { camera } = await cameraWith(d, req, req.params.id, 'read-health');
    return d.health.status.cameraStatus(watched(camera), req.query.day);
  });

  app.get('/health/trends', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Daily and weekly online rate (在线率) and good rate (完好率) over the last weeks, for the cameras one may see (optionally one region or unit)',
      querystring: z.strictObject({ weeks: z.coerce.number().int().min(1).max(26).default(4), regionId: z.coerce.number().int().positive().optional(), unitId: z.coerce.number().int().positive().optional() }),
      response: { 200: z.object({ days: z.array(ratesSchema.extend({ day: z.string() })), weeks: z.array(ratesSchema.extend({ week: z.string() })) }), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const cameras = await d.health.status.cameraDays(d.health.status.today());
    const regionIds = cameras.map((c) => c.regionId);
    const unitIds = cameras.flatMap((c) => (c.unitId === null ? [] : [c.unitId]));
    const reach = await reachFilter(d, actor, [...regionIds, ...unitIds]);
    const { regionId, unitId } = req.query;
    return d.health.status.trends(req.query.weeks, (c) =>
      (reach(c.regionId) || reach(c.unitId)) && (regionId === undefined || c.regionId === regionId) && (unitId === undefined || c.unitId === unitId),
    );
  });
};
