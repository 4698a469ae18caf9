import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Registry } from '../../../registry/index.js';
import { errorResponses, idParams } from '../common.schema.js';
import { organisationCreateSchema, organisationListQuery, organisationPatchSchema, organisationSchema } from './schema.js';

export const organisationRoutes: FastifyPluginAsyncZod<{ registry: Registry }> = async (app, { registry }) => {
  const tags = ['organisations'];

  app.get('/organisations', {
    schema: { tags, summary: 'List platforms and units', querystring: organisationListQuery, response: { 200: z.object({ items: z.array(organisationSchema) }), ...errorResponses } },
  }, async (req) => {
    const { kind, parentId, subtreeOf } = req.query;
    return { items: await registry.organisations.list({ kind, parentId: parentId === 'root' ? null : parentId, subtreeOf }) };
  });

  app.post('/organisations', {
    schema: { tags, summary: 'Create a platform (by level) or a unit in a region', body: organisationCreateSchema, response: { 201: organisationSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await registry.organisations.create(req.body)));

  app.get('/organisations/:id', {
    schema: { tags, summary: 'One organisation', params: idParams, response: { 200: organisationSchema.extend({ effectiveProfileId: z.string() }), ...errorResponses } },
  }, async (req) => ({
    ...(await registry.organisations.get(req.params.id)),
    effectiveProfileId: await registry.organisations.effectiveProfileId(req.params.id),
  }));

  app.patch('/organisations/:id', {
    schema: { tags, summary: 'Change an organisation', params: idParams, body: organisationPatchSchema, response: { 200: organisationSchema, ...errorResponses } },
  }, async (req) => registry.organisations.update(req.params.id, req.body));

  app.delete('/organisations/:id', {
    schema: { tags, summary: 'Remove an organisation with nothing under it', params: idParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await registry.organisations.remove(req.params.id);
    return reply.status(204).send(null);
  });
};
