// Inspections (监督检查, R8.1) by police supervisors: the checklist from the profile's articles,
// on-site observations, findings citing articles, rectification orders and penalties.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHECKLIST_KEYS, OBSERVED_KEYS } from '../../../supervision/checklist.js';
import type { Supervision } from '../../../supervision/index.js';
import { OBSTRUCTIONS } from '../../../supervision/obstruction.service.js';
import { actorOf } from '../../plugins/auth.js';
import { idParams } from '../common.schema.js';
import { penaltyViewSchema, rectificationViewSchema } from '../rectifications/schema.js';
import { created, ok } from '../systems/schema.js';
import { inspectionListSchema, inspectionViewSchema } from './schema.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const inspectionRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['inspections'];
  const ins = supervision.inspections;
  // Every write here is the police's: the gate lets in those who may read basic information,
  // the policy (supervise) then asks for the supervisor role over the unit.
  const police = { access: 'basic-info:read', needs: 'supervise' } as const;

  app.get('/inspections', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'Inspections one may read: a unit its own, supervisors those in reach', querystring: z.strictObject({ unitId: z.coerce.number().int().positive().optional() }), response: ok(inspectionListSchema) },
  }, async (req) => ({ items: await ins.list(actorOf(req), req.query) }));

  app.post('/inspections', {
    config: police,
    schema: { tags, summary: 'Start an inspection of a unit: the checklist is built from the profile and the platform\'s own data', body: z.strictObject({ unitId: z.number().int().positive(), note: z.string().trim().max(4000).optional() }), response: created(inspectionViewSchema) },
  }, async (req, reply) => reply.status(201).send(await ins.start(actorOf(req), req.body.unitId, req.body.note)));

  app.get('/inspections/:id', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'One inspection: checklist, findings, orders, penalties', params: idParams, response: ok(inspectionViewSchema) },
  }, async (req) => ins.get(actorOf(req), req.params.id));

  app.post('/inspections/:id/observations', {
    config: police,
    schema: { tags, summary: 'What the inspector saw on site (training, duty roster)', params: idParams, body: z.strictObject({ key: z.enum(OBSERVED_KEYS), ok: z.boolean(), note: text(4000) }), response: ok(inspectionViewSchema) },
  }, async (req) => ins.observe(actorOf(req), req.params.id, req.body.key, req.body));

  app.post('/inspections/:id/evaluate', {
    config: police,
    schema: { tags, summary: 'Evaluate the checklist again against the data as it is now', params: idParams, response: ok(inspectionViewSchema) },
  }, async (req) => ins.reevaluate(actorOf(req), req.params.id));

  app.post('/inspections/:id/findings', {
    config: police,
    schema: {
      tags,
      summary: 'A finding on a checklist item; it cites the item\'s articles unless others are given',
      params: idParams,
      body: z.strictObject({ itemKey: z.enum(CHECKLIST_KEYS), description: text(4000), articles: z.array(z.string().max(20)).max(20).optional() }),
      response: created(inspectionViewSchema),
    },
  }, async (req, reply) => reply.status(201).send(await ins.addFinding(actorOf(req), req.params.id, req.body)));

  app.post('/inspections/:id/obstructions', {
    config: police,
    schema: {
      tags,
      summary: 'A camera\'s view obstructed by a sign, pipe, tree or other works: a finding citing the profile\'s articles, and the camera\'s work order',
      params: idParams,
      body: z.strictObject({ cameraId: z.number().int().positive(), by: z.enum(OBSTRUCTIONS), description: text(2000) }),
      response: created(z.object({ findingId: z.number(), cameraId: z.number(), articles: z.array(z.string()), workOrderId: z.number(), workOrderOpened: z.boolean() }).describe('ObstructionView')),
    },
  }, async (req, reply) => reply.status(201).send(await supervision.obstructions.report(actorOf(req), req.params.id, req.body)));

  app.post('/inspections/:id/rectifications', {
    config: police,
    schema: {
      tags,
      summary: 'Order rectification within a deadline (责令限期改正)',
      params: idParams,
      body: z.strictObject({ findingIds: z.array(z.number().int().positive()).min(1).max(100), dueAt: z.number().int().positive(), requirement: text(4000) }),
      response: created(rectificationViewSchema),
    },
  }, async (req, reply) => reply.status(201).send(await ins.order(actorOf(req), req.params.id, req.body)));

  app.post('/inspections/:id/penalties', {
    config: police,
    schema: {
      tags,
      summary: 'Record a penalty; refused outside the ranges and conditions of the profile\'s article',
      params: idParams,
      body: z.strictObject({
        article: text(20),
        payer: z.enum(['unit', 'responsible-person', 'individual']),
        amountYuan: z.number().int().positive().max(1e9),
        rectificationId: z.number().int().positive().nullable().optional(),
        seriousReason: z.string().trim().max(4000).nullable().optional(),
        note: z.string().trim().max(4000),
      }),
      response: created(penaltyViewSchema),
    },
  }, async (req, reply) => reply.status(201).send(await ins.penalty(actorOf(req), req.params.id, req.body)));

  app.post('/inspections/:id/close', {
    config: police,
    schema: { tags, summary: 'Close the inspection', params: idParams, response: ok(inspectionViewSchema) },
  }, async (req) => ins.close(actorOf(req), req.params.id));
};
