// Evidence export (调取 / 复制, R5.3–R5.4) over HTTP: start under an approved copy/retrieve request
// (202, written in the background), follow its progress, cancel it, download the finished
// package as a store-only ZIP. Only the request's officers start and download; its approvers may
// also download; supervision (audit:read over the camera) may follow progress. Every refusal and
// every download is registered.
import { join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../../access/actor.js';
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

export const exportRoutes: FastifyPluginAsyncZod<EvidenceRouteOptions> = async (app, { access, exports, dataDir }) => {
  const tags = ['evidence exports'];

  const parties = async (v: ExportView) => {
    const r = await access.requests.load(v.requestId);
    return { officers: new Set([...r.officers.map((o) => o.userId), v.createdBy]), approvers: new Set(r.approvals.map((a) => a.userId)) };
  };
  const refuse = (actor: Actor, v: ExportView, target: string, reason: string) =>
    access.log.refuse(actor, { action: 'export', cameraIds: [v.cameraId], from: v.from, to: v.to, approvalId: v.requestId, target, reason }, Errors.forbidden(reason));

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
    const actor = actorOf(req);
    const b = req.body;
    const request = await access.requests.load(b.requestId);
    // Said before anything about the request is: only its officers learn whether it would do.
    const refuseStart = (reason: string) =>
      access.log.refuse(actor, { action: 'export', cameraIds: [b.cameraId], from: b.from, to: b.to, approvalId: b.requestId, target: 'POST /exports', reason }, Errors.forbidden(reason));
    if (!request.officers.some((o) => o.userId === actor.userId)) await refuseStart('only an officer of the request may export under it');
    // Checked here too: footage access would otherwise find, and register a use of, another
    // approved request of the same officer that covers the range.
    if (request.state !== 'approved' && request.state !== 'in_use') await refuseStart(`request ${request.id} is ${request.state}, not approved`);
    return reply.status(202).send(await withFiles(await exports.start(actor, b)));
  });

  app.get('/exports/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'An export\'s state and progress (0..1), its bytes and, once done, its files', params: idParams, response: { 200: exportSchema, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const v = await exports.get(req.params.id);
    const p = await parties(v);
    if (!p.officers.has(actor.userId) && !p.approvers.has(actor.userId) && !actor.can('audit:read', (await access.subjects.camera(v.cameraId)).paths)) {
      await refuse(actor, v, `export:${v.id}`, 'only the request\'s officers and approvers, or supervision of the camera, may see this export');
    }
    return withFiles(v);
  });

  app.delete('/exports/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel a running export (its maker only); nothing half-written is left', params: idParams, response: { 200: exportSchema, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const v = await exports.get(req.params.id);
    if (v.createdBy !== actor.userId) await refuse(actor, v, `export:${v.id}`, 'only the one who started an export can cancel it');
    return withFiles(await exports.cancel(actor, v.id));
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
    const v = await exports.get(req.params.id);
    const p = await parties(v);
    if (!p.officers.has(actor.userId) && !p.approvers.has(actor.userId)) await refuse(actor, v, `export:${v.id}/package`, 'only the request\'s officers and approvers may take the package');
    if (v.state !== 'done') throw Errors.conflict(`export ${v.id} is ${v.state}; only a finished export can be downloaded`);
    const entries = await folderEntries(join(dataDir, v.path));
    if (entries.length === 0) throw Errors.notFound(`the package of export ${v.id} is no longer on disk`);
    const body = zipStream(entries);
    await access.log.record(actor, {
      action: 'export', outcome: 'success', cameraIds: [v.cameraId], from: v.from, to: v.to, approvalId: v.requestId, target: `export:${v.id}/package`,
      detail: { step: 'download', manifestSha256: v.manifestSha256, bytes: zipLength(entries) },
    });
    return reply
      .header('content-type', 'application/zip')
      .header('content-length', String(zipLength(entries)))
      .header('content-disposition', `attachment; filename="evidence-${v.id}.zip"`)
      .send(body);
  });
};
