// Duty records (issue 17 item 9): a unit's design reviews, emergency plans, security checks,
// training and duty rosters, each citing its profile's articles; inspections read them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DUTY_RECORD_KINDS } from '../../../supervision/duty-records.js';
import type { DutyRecordView } from '../../../supervision/duty-record.service.js';
import type { Supervision } from '../../../supervision/index.js';
import { actorOf } from '../../plugins/auth.js';
import { created, ok, sameShape } from '../systems/schema.js';

const dutyRecordSchema = z.object({
  id: z.number(), kind: z.enum(DUTY_RECORD_KINDS), unitId: z.number(), systemId: z.number().nullable(), title: z.string(), heldAt: z.number(), validUntil: z.number().nullable(),
  participants: z.string(), documentSha256: z.string().nullable(), articles: z.array(z.string()).describe('the articles of the duty, from the unit\'s profile'),
  inForce: z.boolean(), recordedBy: z.number(), recordedAt: z.number(),
}).describe('DutyRecord');
sameShape<z.infer<typeof dutyRecordSchema>, DutyRecordView>(true);

export const dutyRecordRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['duty records'];
  app.get('/duty-records', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'A unit\'s duty records, each with its articles and whether it is in force', querystring: z.strictObject({ unitId: z.coerce.number().int().positive() }), response: ok(z.object({ items: z.array(dutyRecordSchema) })) },
  }, async (req) => ({ items: await supervision.dutyRecords.list(actorOf(req), req.query.unitId) }));

  app.post('/duty-records', {
    config: { access: 'config:write' },
    schema: {
      tags,
      summary: 'Record a design review (before construction), an emergency plan, a security check, a training or a duty roster',
      body: z.strictObject({
        kind: z.enum(DUTY_RECORD_KINDS), unitId: z.number().int().positive(), systemId: z.number().int().positive().nullable().optional(), title: z.string().trim().min(1).max(500),
        heldAt: z.number().int().nonnegative(), validUntil: z.number().int().positive().nullable().optional(), participants: z.string().max(2000).optional(),
        documentSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable().optional(),
      }),
      response: created(dutyRecordSchema),
    },
  }, async (req, reply) => reply.status(201).send(await supervision.dutyRecords.record(actorOf(req), req.body)));
};
