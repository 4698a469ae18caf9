// Video quality diagnostics of one camera: results with snapshots, a sample taken now, and the
// approved reference view against which moves are detected (R1.5).
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Errors } from '../../../errors.js';
import { cameraWith, watched, type HealthRouteDeps } from '../health-status/support.js';
import { errorResponses, idParams } from '../common.schema.js';

const finding = z.object({ kind: z.string(), value: z.number().nullable(), threshold: z.number().nullable(), detail: z.string() });
const diagnostic = z.object({ id: z.number(), cameraId: z.number(), at: z.number(), source: z.string(), ok: z.boolean(), findings: z.array(finding), measures: z.record(z.string(), z.unknown()), snapshot: z.boolean() });

export const diagnosticsRoutes: FastifyPluginAsyncZod<HealthRouteDeps & { dataDir: string }> = async (app, d) => {
  const tags = ['camera health'];
  const view = (r: { id: number; camera_id: number; at: number; source: string; ok: boolean; findings: string; measures: string; snapshot: string | null }) => ({
    id: r.id, cameraId: r.camera_id, at: r.at, source: r.source, ok: r.ok, findings: JSON.parse(r.findings) as z.infer<typeof finding>[], measures: JSON.parse(r.measures) as Record<string, unknown>, snapshot: r.snapshot !== null,
  });

  app.get('/cameras/:id/diagnostics', {
    config: { access: 'signed-in' },
    schema: { tags, summary: "A camera's newest diagnostic results", params: idParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }), response: { 200: z.object({ items: z.array(diagnostic) }), ...errorResponses } },
  }, async (req) => {
    await cameraWith(d, req, req.params.id, 'read-health');
    return { items: (await d.health.repo.diagnostics(req.params.id, req.query.limit)).map(view) };
  });

  app.post('/cameras/:id/diagnostics', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Sample and diagnose the camera now', params: idParams, response: { 201: diagnostic, ...errorResponses } },
  }, async (req, reply) => {
    const { camera } = await cameraWith(d, req, req.params.id, 'maintain', 'config_change');
    const r = await d.health.diagnostics.diagnoseCamera(watched(camera), { keepSnapshot: true });
    return reply.status(201).send(view((await d.health.repo.diagnostic(r.diagnosticId))!));
  });

  app.post('/cameras/:id/reference', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "Approve the camera's current view as its reference (after an approved change of position or direction, R1.5)",
      params: idParams,
      body: z.strictObject({ reason: z.string().min(3).max(500) }),
      response: { 201: z.object({ diagnosticId: z.number() }), ...errorResponses },
    },
  }, async (req, reply) => {
    const { camera, actor } = await cameraWith(d, req, req.params.id, 'approve-view', 'config_change');
    return reply.status(201).send(await d.health.diagnostics.approveView(actor, watched(camera), req.body.reason));
  });

  app.get('/diagnostics/:id/snapshot', {
    config: { access: 'signed-in' },
    schema: { tags, summary: "A diagnostic's snapshot (JPEG); viewing it is registered like viewing footage", params: idParams },
  }, async (req, reply) => {
    const r = await d.health.repo.diagnostic(req.params.id);
    if (!r || !r.snapshot) throw Errors.notFound(`diagnostic ${req.params.id} has no snapshot`);
    const { actor } = await cameraWith(d, req, r.camera_id, 'read-health', 'view', `diagnostic ${req.params.id} has no snapshot`);
    const file = await d.health.diagnostics.snapshotViewed(actor, r);
    return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(createReadStream(file));
  });
};

