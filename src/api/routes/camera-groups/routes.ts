import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import type { Registry } from '../../../registry/index.js';
import { changesBy, guard } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

const groupSchema = z
  .object({
    id: z.number(),
    gbId: z.string(),
    kind: z.enum(['business_group', 'virtual_organisation']),
    name: z.string(),
    parentId: z.number().nullable(),
    createdAt: z.number(),
  })
  .describe('CameraGroup');

export const cameraGroupRoutes: FastifyPluginAsyncZod<{ registry: Registry; access: Access }> = async (app, { registry, access }) => {
  const mayChange = (req: Parameters<typeof guard>[1]) => guard(access, req, 'change-groups', { kind: 'Platform' }, 'config_change');
  const tags = ['camera groups'];

  app.get('/camera-groups', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'GB/T 28181 business groups (215) and virtual organisations (216)', response: { 200: z.object({ items: z.array(groupSchema) }) } },
  }, async () => ({ items: await registry.groups.list() }));

  app.post('/camera-groups', {
    config: { access: 'config:write' },
    schema: {
      tags,
      summary: 'Create a business group or a virtual organisation',
      body: z.strictObject({
        gbId: z.string(),
        kind: z.enum(['business_group', 'virtual_organisation']),
        name: z.string().trim().min(1).max(200),
        parentId: z.number().int().positive().nullable().default(null),
      }),
      response: { 201: groupSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    await mayChange(req);
    const by = changesBy(access, req);
    return reply.status(201).send(await registry.groups.create(req.body, by.record));
  });

  app.get('/camera-groups/:id', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'A group with its cameras', params: idParams, response: { 200: groupSchema.extend({ cameraIds: z.array(z.number()) }), ...errorResponses } },
  }, async (req) => registry.groups.get(req.params.id));

  app.post('/camera-groups/:id/members', {
    config: { access: 'config:write' },
    schema: {
      tags,
      summary: 'Add and remove cameras of a group',
      params: idParams,
      body: z.strictObject({ add: z.array(z.number().int().positive()).default([]), remove: z.array(z.number().int().positive()).default([]) }),
      response: { 200: groupSchema.extend({ cameraIds: z.array(z.number()) }), ...errorResponses },
    },
  }, async (req) => {
    await mayChange(req);
    const by = changesBy(access, req);
    return registry.groups.setMembers(req.params.id, req.body.add, req.body.remove, by.record);
  });
};
