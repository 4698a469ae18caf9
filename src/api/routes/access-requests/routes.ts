import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REQUEST_KINDS, REQUEST_STATES, REQUESTER_KINDS } from '../../../access/access-request.js';
import { MAX_DOCUMENT_BYTES } from '../../../access/document-store.js';
import type { Access } from '../../../access/index.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

const requestSchema = z
  .object({
    id: z.number(),
    kind: z.enum(REQUEST_KINDS),
    state: z.enum(REQUEST_STATES),
    requesterId: z.number(),
    requesterKind: z.string(),
    requestingUnit: z.string(),
    purpose: z.string(),
    caseNumber: z.string().nullable(),
    destination: z.string(),
    custodianId: z.number(),
    profileId: z.string(),
    cameraIds: z.array(z.number()),
    from: z.number(),
    to: z.number(),
    validUntil: z.number().nullable(),
    cameras: z.array(z.object({ id: z.number(), name: z.string().nullable(), gbId: z.string().nullable() })).describe('the named cameras by name, so whoever decides sees what is asked for without reading the registry'),
    officers: z.array(z.object({ userId: z.number(), workId: z.string(), confirmedAt: z.number().nullable(), displayName: z.string().nullable(), organisationName: z.string().nullable() })),
    document: z.object({ sha256: z.string(), type: z.string() }).nullable(),
    approvals: z.array(z.object({ userId: z.number(), role: z.string(), side: z.enum(['requester', 'custodian']).optional(), at: z.number() })),
    requirements: z.object({
      officers: z.object({ count: z.number(), article: z.string().nullable() }),
      approvals: z.array(z.object({ role: z.string(), side: z.enum(['requester', 'custodian']), article: z.string().nullable() })),
      document: z.object({ required: z.boolean(), article: z.string().nullable() }),
    }),
    decisionReason: z.string().nullable(),
    createdAt: z.number(),
  })
  .describe('AccessRequest');

const text = (max: number) => z.string().trim().min(1).max(max);

export const accessRequestRoutes: FastifyPluginAsyncZod<{ access: Access }> = async (app, { access }) => {
  const tags = ['access requests'];
  const requests = access.requests;
  const one = { 200: requestSchema, ...errorResponses };

  app.addContentTypeParser(['application/pdf', 'image/png', 'image/jpeg', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES }, (_req, body, done) => done(null, body));

  app.get('/access-requests', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Requests one made or takes part in, and those one decides or audits', response: { 200: z.object({ items: z.array(requestSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await requests.list(actorOf(req)) }));

  app.post('/access-requests', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Draft a request to view (查阅), copy (复制) or retrieve (调取) footage of one custodian, or to connect (接入) a police platform to its system for a period',
      body: z.strictObject({
        kind: z.enum(REQUEST_KINDS),
        requesterKind: z.enum(REQUESTER_KINDS),
        requestingUnit: text(200),
        purpose: text(2000),
        caseNumber: z.string().trim().max(100).nullable().optional(),
        destination: text(500).describe("去向: where the footage goes; a connection (接入): the upper platform's 20-digit SIP ID"),
        custodianId: z.number().int().positive(),
        cameraIds: z.array(z.number().int().positive()).max(500).describe('at least one, except a connection (接入), which names none'),
        from: z.number().int().nonnegative(),
        to: z.number().int().nonnegative(),
        validityHours: z.number().positive().max(24 * 365),
        officerWorkIds: z.array(text(64)).max(20).describe('工作证号 of each officer'),
      }),
      response: { 201: requestSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await requests.create(actorOf(req), req.body)));

  app.get('/access-requests/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One request', params: idParams, response: one },
  }, async (req) => requests.get(actorOf(req), req.params.id));

  app.put('/access-requests/:id/document', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Attach the approval document (PDF, PNG or JPEG, judged by its bytes); stored under its SHA-256',
      params: idParams,
      consumes: ['application/pdf', 'image/png', 'image/jpeg'],
      response: one,
    },
  }, async (req) => requests.attachDocument(actorOf(req), req.params.id, req.body as Buffer));

  app.get('/access-requests/:id/document', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'The approval document as uploaded', params: idParams },
  }, async (req, reply) => {
    const r = await requests.get(actorOf(req), req.params.id);
    const bytes = requests.document(r);
    return reply.header('content-type', r.document!.type).header('x-content-sha256', r.document!.sha256).send(bytes);
  });

  app.post('/access-requests/:id/confirm', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'An officer named on the request confirms, with their own sign-in', params: idParams, response: one },
  }, async (req) => requests.confirm(actorOf(req), req.params.id));

  app.post('/access-requests/:id/submit', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Submit for decision (checked: officers, their confirmations, the document)', params: idParams, response: one },
  }, async (req) => requests.submit(actorOf(req), req.params.id));

  app.post('/access-requests/:id/approve', {
    config: { access: 'access-request:approve' },
    schema: { tags, summary: 'Approve as the custodian\'s head (or the police head where the profile requires)', params: idParams, response: one },
  }, async (req) => requests.approve(actorOf(req), req.params.id));

  app.post('/access-requests/:id/refuse', {
    config: { access: 'access-request:approve' },
    schema: { tags, summary: 'The custodian refuses, with a reason (HRB-22)', params: idParams, body: z.strictObject({ reason: text(2000) }), response: one },
  }, async (req) => requests.refuseRequest(actorOf(req), req.params.id, req.body.reason));

  app.post('/access-requests/:id/close', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Close a request once the footage has been used', params: idParams, response: one },
  }, async (req) => requests.close(actorOf(req), req.params.id));
};
