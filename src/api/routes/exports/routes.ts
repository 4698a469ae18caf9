// Evidence export (调取 / 复制, R5.3–R5.4) over HTTP: start under an approved copy/retrieve request
// (202, written in the background), follow its progress, cancel it, download the finished
// package as a store-only ZIP. Who may do which is export.service.ts's to decide (and register).
import { join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Errors } from '../../../errors.js';
import type { ExportView } from '../../../export/export.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import type { EvidenceRouteOptions } from '../integrity/evidence-deps.js';
import { folderEntries, zipLength, zipStream } from './zip-stream.js';

const exportSchema = z
  .object({
    id: z.number(),
    requestId: z.number(),
    cameraId: z.number(),
    from: z.number(),
    to: z.number(),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    /** 0..1 */
    progress: z.number(),
    bytesTotal: z.number(),
    bytesDone: z.number(),
    manifestSha256: z.string().nullable(),
    error: z.string().nullable(),
    createdBy: z.number(),
    createdAt: z.number(),
    finishedAt: z.number().nullable(),
    files: z.array(z.object({ name: z.string(), bytes: z.number() })).describe('The package\'s files, once done'),
  })
  .describe('EvidenceExport');

const startSchema = z.strictObject({
  requestId: z.number().int().positive(),
  cameraId: z.number().int().positive(),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
});

export const exportRoutes: FastifyPluginAsyncZod<EvidenceRouteOptions> = async (app, { exports, dataDir }) => {
  const tags = ['evidence exports'];

  const withFiles = async (v: ExportView) => {
    const files = v.state === 'done' ? (await folderEntries(join(dataDir, v.path)).catch(() => [])).map((e) => ({ name: e.name, bytes: e.size })) : [];
    const progress = v.state === 'done' ? 1 : v.bytesTotal > 0 ? Math.min(1, v.bytesDone / v.bytesTotal) : 0;
    const { path: _path, ...rest } = v;
    return { ...rest, progress, files };
  };

  app.post('/exports', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Start an evidence export under an approved copy or retrieve request (one of its officers); 202, then follow GET /exports/{id}',
      body: startSchema,
      response: { 202: exportSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    return reply.status(202).send(await withFiles(await exports.start(actorOf(req), req.body)));
  });

  app.get('/exports', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'The exports one started ("my exports"), newest first, with their state and progress',
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(exportSchema.extend({ cameraName: z.string().nullable() })) }), ...errorResponses },
    },
  }, async (req) => {
    return { items: await Promise.all((await exports.mine(actorOf(req), req.query.limit)).map(async (v) => ({ ...(await withFiles(v)), cameraName: v.cameraName }))) };
  });

  app.get('/exports/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'An export\'s state and progress (0..1), its bytes and, once done, its files', params: idParams, response: { 200: exportSchema, ...errorResponses } },
  }, async (req) => {
    return withFiles(await exports.view(actorOf(req), req.params.id));
  });

  app.delete('/exports/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel a running export (its maker only); nothing half-written is left', params: idParams, response: { 200: exportSchema, ...errorResponses } },
  }, async (req) => {
    return withFiles(await exports.cancel(actorOf(req), req.params.id));
  });

  app.get('/exports/:id/package', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'The finished package as a store-only ZIP (original bytes, manifest, signature, key, verify.html), to the request\'s officers and approvers',
      params: idParams,
      response: { 200: z.any().describe('application/zip'), ...errorResponses },
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const v = await exports.forDownload(actor, req.params.id);
    const entries = await folderEntries(join(dataDir, v.path));
    if (entries.length === 0) throw Errors.notFound(`the package of export ${v.id} is no longer on disk`);
    const body = zipStream(entries);
    await exports.downloaded(actor, v, zipLength(entries));
    return reply
      .header('content-type', 'application/zip')
      .header('content-length', String(zipLength(entries)))
      .header('content-disposition', `attachment; filename="evidence-${v.id}.zip"`)
      .send(body);
  });
};
