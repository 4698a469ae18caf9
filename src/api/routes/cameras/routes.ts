import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Registry } from '../../../registry/index.js';
import { errorResponses, idParams } from '../common.schema.js';
import { cameraInputSchema, cameraListQuery, cameraPatchSchema, cameraSchema, importResultSchema } from './schema.js';

export const cameraRoutes: FastifyPluginAsyncZod<{ registry: Registry }> = async (app, { registry }) => {
  const tags = ['cameras'];

  app.get('/cameras', {
    schema: {
      tags,
      summary: 'Search camera points by region subtree, unit, category, status and free text',
      querystring: cameraListQuery,
      response: { 200: z.object({ items: z.array(cameraSchema), total: z.number(), limit: z.number(), offset: z.number() }), ...errorResponses },
    },
  }, async (req) => {
    const r = await registry.cameras.search(req.query);
    return { ...r, limit: req.query.limit, offset: req.query.offset };
  });

  app.post('/cameras', {
    schema: { tags, summary: 'Register a camera point (refused in prohibited privacy places)', body: cameraInputSchema, response: { 201: cameraSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await registry.cameras.register(req.body)));

  app.get('/cameras/:id', {
    schema: { tags, summary: 'One camera point', params: idParams, response: { 200: cameraSchema, ...errorResponses } },
  }, async (req) => registry.cameras.get(req.params.id));

  app.patch('/cameras/:id', {
    schema: { tags, summary: 'Change a camera point', params: idParams, body: cameraPatchSchema, response: { 200: cameraSchema, ...errorResponses } },
  }, async (req) => registry.cameras.update(req.params.id, req.body));

  // CSV bodies arrive as text; JSON and CSV share the route set.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/cameras/import', {
    schema: {
      tags,
      summary: 'Import camera points from CSV: all rows or none; every bad row is reported with line and field',
      consumes: ['text/csv'],
      body: z.string().describe('CSV with a header line; columns as in GET /cameras/export'),
      response: { 201: importResultSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await registry.importer.importCsv(req.body)));

  app.get('/cameras/export', {
    schema: { tags, summary: 'Every camera point as CSV', produces: ['text/csv'] },
  }, async (_req, reply) => {
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="cameras.csv"');
    return reply.send(Readable.from(registry.importer.exportCsv()));
  });
};
