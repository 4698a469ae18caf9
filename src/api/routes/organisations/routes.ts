import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import type { Registry } from '../../../registry/index.js';
import { changesBy, guard } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import { organisationCreateSchema, organisationListQuery, organisationPatchSchema, organisationSchema } from './schema.js';

export const organisationRoutes: FastifyPluginAsyncZod<{ registry: Registry; access: Access }> = async (app, { registry, access }) => {
  const tags = ['organisations'];

  // The tree of platforms and units is not confidential: every signed-in person sees it.
  app.get('/organisations', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'List platforms and units', querystring: organisationListQuery, response: { 200: z.object({ items: z.array(organisationSchema) }), ...errorResponses } },
  }, async (req) => {
    const { kind, parentId, subtreeOf } = req.query;
    return { items: await registry.organisations.list({ kind, parentId: parentId === 'root' ? null : parentId, subtreeOf }) };
  });

  app.post('/organisations', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Create a platform (by level) or a unit in a region', body: organisationCreateSchema, response: { 201: organisationSchema, ...errorResponses } },
  }, async (req, reply) => {
    // A parent that does not exist is the registry's validation error (the tree is no secret).
    const parent = req.body.parentId ? await registry.organisations.get(req.body.parentId).catch(() => null) : null;
    if (parent || !req.body.parentId) await guard(access, req, 'create-under', { kind: 'Organisation', id: parent?.id ?? null, path: parent?.path ?? '' }, 'config_change');
    const by = changesBy(access, req);
    return reply.status(201).send(await registry.organisations.create(req.body, by.record));
  });

  app.get('/organisations/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One organisation', params: idParams, response: { 200: organisationSchema.extend({ effectiveProfileId: z.string() }), ...errorResponses } },
  }, async (req) => ({
    ...(await registry.organisations.get(req.params.id)),
    effectiveProfileId: await registry.organisations.effectiveProfileId(req.params.id),
  }));

  app.patch('/organisations/:id', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Change an organisation', params: idParams, body: organisationPatchSchema, response: { 200: organisationSchema, ...errorResponses } },
  }, async (req) => {
    await guard(access, req, 'change', await access.subjects.organisation(req.params.id), 'config_change');
    const by = changesBy(access, req);
    return registry.organisations.update(req.params.id, req.body, by.record);
  });

  app.delete('/organisations/:id', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Remove an organisation with nothing under it', params: idParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await guard(access, req, 'remove', await access.subjects.organisation(req.params.id), 'config_change');
    const by = changesBy(access, req);
    await registry.organisations.remove(req.params.id, by.record);
    return reply.status(204).send(null);
  });
};
