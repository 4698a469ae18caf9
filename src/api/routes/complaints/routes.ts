// Complaints about the supervisors' conduct (检举、控告, CN-25): the one public route that writes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Supervision } from '../../../supervision/index.js';
import { actorOf } from '../../plugins/auth.js';
import { idParams } from '../common.schema.js';
import { created, ok } from '../systems/schema.js';
import { complaintListSchema, complaintReceiptSchema, complaintViewSchema } from './schema.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const complaintRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['complaints'];

  app.post('/complaints', {
    config: { access: 'public' },
    // A form's worth of text, no more: anyone can reach this route.
    bodyLimit: 16 * 1024,
    schema: {
      tags,
      summary: 'Anyone may report or complain about the supervisors\' conduct (CN-25); it reaches the supervising unit of the region',
      body: z.strictObject({
        regionId: z.number().int().positive().nullable().optional(),
        about: text(200),
        text: text(8000),
        name: z.string().trim().max(100).nullable().optional(),
        contact: z.string().trim().max(200).nullable().optional(),
      }),
      response: created(complaintReceiptSchema),
    },
  }, async (req, reply) => reply.status(201).send(await supervision.complaints.submit(req.body, req.ip ?? null)));

  app.get('/complaints', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'Complaints about one\'s region, for its supervisors and auditors', response: ok(complaintListSchema) },
  }, async (req) => ({ items: await supervision.complaints.list(actorOf(req)) }));

  app.post('/complaints/:id/handle', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'Record how the complaint was handled', params: idParams, body: z.strictObject({ outcome: text(4000) }), response: ok(complaintViewSchema) },
  }, async (req) => supervision.complaints.handle(actorOf(req), req.params.id, req.body.outcome));
};
