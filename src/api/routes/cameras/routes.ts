import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import type { Camera } from '../../../db/camera.repository.js';
import type { Registry } from '../../../registry/index.js';
import { actorOf, changesBy, guard } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import { cameraInputSchema, cameraListQuery, cameraPatchSchema, cameraSchema, cameraWithWarningsSchema, importResultSchema } from './schema.js';

export const cameraRoutes: FastifyPluginAsyncZod<{ registry: Registry; access: Access }> = async (app, { registry, access }) => {
  const tags = ['cameras'];
  app.get('/cameras', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Search camera points by region subtree, unit, category, status and free text',
      querystring: cameraListQuery,
      response: { 200: z.object({ items: z.array(cameraSchema), total: z.number(), limit: z.number(), offset: z.number() }), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const scopePaths = await access.cameraReading.listingScopes(actor, 'GET /cameras');
    const { positions, ...query } = req.query;
    const r = await registry.cameras.search({ ...query, scopePaths });
    return { items: await access.cameraReading.show(actor, r.items, positions ? 'camera map' : 'camera list', positions === true), total: r.total, limit: req.query.limit, offset: req.query.offset };
  });

  app.post('/cameras', {
    config: { access: 'basic-info:write' },
    schema: { tags, summary: 'Register a camera point (refused in prohibited privacy places); `warnings` says when it will not be recorded as it stands', body: cameraInputSchema, response: { 201: cameraWithWarningsSchema, ...errorResponses } },
  }, async (req, reply) => {
    const planned = (await access.subjects.cameras([{ ...req.body, id: 0 } as Camera])).get(0)!;
    await guard(access, req, 'change', planned, 'registry_change');
    const by = changesBy(access, req);
    const camera = await registry.cameras.register(req.body, by.record, by.source);
    return reply.status(201).send({ ...camera, warnings: registry.cameras.recordingWarnings(camera) });
  });

  app.get('/cameras/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One camera point (national ID, position and stream address only with basic-info:read)', params: idParams, response: { 200: cameraSchema, ...errorResponses } },
  }, async (req) => {
    const camera = await registry.cameras.get(req.params.id);
    await guard(access, req, 'list', await access.subjects.camera(camera.id), 'registry_view', [camera.id]);
    return (await access.cameraReading.show(actorOf(req), [camera], 'camera'))[0]!;
  });

  app.patch('/cameras/:id', {
    config: { access: 'basic-info:write' },
    schema: { tags, summary: 'Change a camera point; `warnings` says when it will not be recorded as it stands', params: idParams, body: cameraPatchSchema, response: { 200: cameraWithWarningsSchema, ...errorResponses } },
  }, async (req) => {
    const current = await registry.cameras.get(req.params.id);
    await guard(access, req, 'change', await access.subjects.camera(current.id), 'registry_change', [current.id]);
    // Moving a point needs the right over where it goes too.
    const next = (await access.subjects.cameras([{ ...current, ...req.body } as Camera])).get(current.id)!;
    await guard(access, req, 'change', next, 'registry_change', [current.id]);
    const by = changesBy(access, req);
    const camera = await registry.cameras.update(req.params.id, req.body, by.record, by.source);
    return { ...camera, warnings: registry.cameras.recordingWarnings(camera) };
  });

  // CSV bodies arrive as text; JSON and CSV share the route set.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/cameras/import', {
    config: { access: 'basic-info:write' },
    schema: {
      tags,
      summary: 'Import camera points from CSV: all rows or none; every bad row is reported with line and field',
      consumes: ['text/csv'],
      body: z.string().describe('CSV with a header line; columns as in GET /cameras/export'),
      response: { 201: importResultSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    // Rows may name any region, so a bulk import needs the right over the whole platform.
    await guard(access, req, 'import-cameras', { kind: 'Platform' }, 'registry_change');
    const by = changesBy(access, req);
    return reply.status(201).send(await registry.importer.importCsv(req.body, by.record, by.source));
  });

  app.get('/cameras/export', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'Every camera point as CSV (confidential: needs basic-info:read over the whole platform)', produces: ['text/csv'] },
  }, async (req, reply) => {
    await guard(access, req, 'export-all', { kind: 'Platform' }, 'registry_view');
    await access.cameraReading.exportedAll(actorOf(req));
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="cameras.csv"');
    return reply.send(Readable.from(registry.importer.exportCsv()));
  });
};
