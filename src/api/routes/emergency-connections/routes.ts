// Emergency connections (接入, R2.1, R2.3): the upper platforms that connect on demand, the
// connections open in this process, opening one under an approved `connect` access request, and
// ending one early. The rules (approval, period, who may) live in EmergencyService.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EmergencyService } from '../../../cascade/emergency.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';

const connectionSchema = z
  .object({
    requestId: z.number(),
    upperSipId: z.string(),
    upperName: z.string(),
    reason: z.string(),
    openedAt: z.number(),
    until: z.number().describe('the end of the approved period, when the connection ends by itself'),
    openedBy: z.number(),
    link: z.enum(['idle', 'registering', 'registered', 'failed', 'closed']).describe('the registration with the upper platform'),
    lastKeepaliveAt: z.number().nullable(),
  })
  .describe('EmergencyConnection');

const requestParams = z.strictObject({ requestId: z.coerce.number().int().positive() });

export const emergencyRoutes: FastifyPluginAsyncZod<{ emergency: EmergencyService }> = async (app, { emergency }) => {
  const tags = ['emergency connections'];

  app.get('/emergency-connections', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'The upper platforms that connect on demand, and the connections open now that one requested or approves',
      response: { 200: z.object({ platforms: z.array(z.object({ sipId: z.string(), name: z.string() })), items: z.array(connectionSchema) }), ...errorResponses },
    },
  }, async (req) => ({ platforms: emergency.platforms(), items: await emergency.list(actorOf(req)) }));

  app.post('/emergency-connections', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Open the connection of an approved connection request (接入), until the end of its period',
      body: z.strictObject({ requestId: z.number().int().positive() }),
      response: { 201: connectionSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await emergency.start(actorOf(req), req.body.requestId)));

  app.post('/emergency-connections/:requestId/end', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'End an open connection before its period is over',
      params: requestParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
      response: { 200: z.object({ requestId: z.number(), ended: z.string() }), ...errorResponses },
    },
  }, async (req) => emergency.end(actorOf(req), req.params.requestId, req.body.reason));
};
