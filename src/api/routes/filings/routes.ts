// Filings (备案, R7.2) for the police: where each system stands (overdue ones listed), receiving
// a filing and recording the visit after it (AH-13). Submitting is under /systems/:id/filings.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Supervision } from '../../../supervision/index.js';
import { actorOf } from '../../plugins/auth.js';
import { idParams } from '../common.schema.js';
import { ok } from '../systems/schema.js';
import { filingStatusListSchema, filingViewSchema } from './schema.js';

const STATES = ['filed', 'filed-late', 'not-started', 'due', 'overdue', 'no-deadline'] as const;

export const filingRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['filings'];
  const filings = supervision.filings;

  app.get('/filings', {
    config: { access: 'basic-info:read' },
    schema: {
      tags,
      summary: 'Every system one may read with its filing deadline (and article) and state; ?state=overdue lists those not filed in time',
      querystring: z.strictObject({ state: z.enum(STATES).optional(), regionId: z.coerce.number().int().positive().optional() }),
      response: ok(filingStatusListSchema),
    },
  }, async (req) => ({ items: await filings.statuses(actorOf(req), req.query) }));

  app.get('/filings/:id', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'One filing with its documents (by SHA-256), device types and point distribution', params: idParams, response: ok(filingViewSchema) },
  }, async (req) => filings.get(actorOf(req), req.params.id));

  app.post('/filings/:id/receive', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'The police receive the filing; the visit deadline starts (AH-13)', params: idParams, response: ok(filingViewSchema) },
  }, async (req) => filings.receive(actorOf(req), req.params.id));

  app.post('/filings/:id/visit', {
    config: { access: 'basic-info:read' },
    schema: {
      tags,
      summary: 'The police record their visit (实地查看、指导)',
      params: idParams,
      body: z.strictObject({ at: z.number().int().nonnegative(), note: z.string().trim().max(4000) }),
      response: ok(filingViewSchema),
    },
  }, async (req) => filings.visit(actorOf(req), req.params.id, req.body));
};
