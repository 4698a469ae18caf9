// Rectification orders (责令限期改正): the unit reports its correction, the police follow up.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Supervision } from '../../../supervision/index.js';
import { actorOf } from '../../plugins/auth.js';
import { idParams } from '../common.schema.js';
import { ok } from '../systems/schema.js';
import { rectificationListSchema, rectificationViewSchema } from './schema.js';

export const rectificationRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['inspections'];
  const ins = supervision.inspections;

  app.get('/rectifications', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'Orders not yet closed, with deadline and whether overdue', response: ok(rectificationListSchema) },
  }, async (req) => ({ items: await ins.openOrders(actorOf(req)) }));

  app.post('/rectifications/:id/report', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'The unit reports what it corrected', params: idParams, body: z.strictObject({ note: z.string().trim().min(1).max(4000) }), response: ok(rectificationViewSchema) },
  }, async (req) => ins.report(actorOf(req), req.params.id, req.body.note));

  app.post('/rectifications/:id/follow-up', {
    config: { access: 'basic-info:read' },
    schema: {
      tags,
      summary: 'The police verify: corrected closes the order, not corrected sends it back',
      params: idParams,
      body: z.strictObject({ corrected: z.boolean(), note: z.string().trim().max(4000) }),
      response: ok(rectificationViewSchema),
    },
  }, async (req) => ins.followUp(actorOf(req), req.params.id, req.body));
};
