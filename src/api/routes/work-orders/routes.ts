// Work orders for maintainer units (issue 7 §3, R6.2) and removal / relocation notices (R7.3).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../../../access/policy.js';
import { cameraWith, watched, type HealthRouteDeps } from '../health-status/support.js';
import { WORK_ORDER_CAUSES } from '../../../health/deadlines.js';
import { workOrderView } from '../../../health/events.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

const workOrder = z.object({
  id: z.number(), cameraId: z.number(), maintainerUnitId: z.number().nullable(), cause: z.string(), state: z.string(), openedAt: z.number(), openedBy: z.number().nullable(),
  dueAt: z.number().nullable(), deadlineHours: z.number().nullable(), deadlineArticle: z.string().nullable(), deadlineBasis: z.string(), profileId: z.string(),
  findings: z.array(z.string()), diagnosticId: z.number().nullable(), escalatedAt: z.number().nullable(), closedAt: z.number().nullable(), closedBy: z.number().nullable(),
  proofDiagnosticId: z.number().nullable(), note: z.string(),
  respondBy: z.number().nullable(), respondedAt: z.number().nullable(), respondedBy: z.number().nullable(), policeDueAt: z.number().nullable(), policeEscalatedAt: z.number().nullable(),
  escalationLevel: z.number(), managingUnitId: z.number().nullable(), regionId: z.number().nullable(), plan: z.record(z.string(), z.unknown()),
});

const notice = z.object({
  id: z.number(), cameraId: z.number(), kind: z.string(), noticeAt: z.number(), plannedAt: z.number(), inTime: z.boolean(), noticeDays: z.number().nullable(),
  article: z.string().nullable(), reason: z.string(), profileId: z.string(), filedBy: z.number().nullable(),
});

export const workOrderRoutes: FastifyPluginAsyncZod<HealthRouteDeps> = async (app, d) => {
  const tags = ['work orders'];

  app.get('/work-orders', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Work orders of the cameras one may see, newest first',
      querystring: z.strictObject({ state: z.enum(['open', 'escalated', 'closed']).optional(), cameraId: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).default(0) }),
      response: { 200: z.object({ items: z.array(workOrder) }), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const rows = await d.health.workOrders.list({ ...(req.query.state ? { state: req.query.state } : {}), ...(req.query.cameraId ? { cameraIds: [req.query.cameraId] } : {}), limit: req.query.limit, offset: req.query.offset });
    const cameras = await Promise.all([...new Set(rows.map((r) => r.camera_id))].map((id) => d.registry.cameras.get(id).catch(() => undefined)));
    const subjects = await d.access.subjects.cameras(cameras.filter((c) => c !== undefined));
    return { items: rows.filter((r) => subjects.has(r.camera_id) && can(actor, 'read-health', subjects.get(r.camera_id)!)).map(workOrderView) };
  });

  app.get('/work-orders/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One work order', params: idParams, response: { 200: workOrder, ...errorResponses } },
  }, async (req) => {
    const o = await d.health.workOrders.get(req.params.id);
    await cameraWith(d, req, o.camera_id, 'read-health', 'registry_view', `work order ${o.id} does not exist`);
    return workOrderView(o);
  });

  app.post('/work-orders', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "Open a work order by hand: damage by municipal works, coverage to restore after a relocation, or a fault seen; the deadline comes from the camera's profile",
      body: z.strictObject({ cameraId: z.number().int().positive(), cause: z.enum(WORK_ORDER_CAUSES as [string, ...string[]]), note: z.string().max(2000).default('') }),
      response: { 201: workOrder, ...errorResponses },
    },
  }, async (req, reply) => {
    const { camera, actor } = await cameraWith(d, req, req.body.cameraId, 'maintain', 'config_change');
    const order = await d.health.workOrders.openByHand(actor, camera, req.body.cause as (typeof WORK_ORDER_CAUSES)[number], req.body.note);
    return reply.status(201).send(order);
  });

  app.post('/work-orders/:id/respond', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "The maintainer responds to an order (on the way / working on it): stops the no-response escalation; the repair deadline still runs",
      params: idParams,
      response: { 200: workOrder, ...errorResponses },
    },
  }, async (req) => {
    const o = await d.health.workOrders.get(req.params.id);
    const { actor } = await cameraWith(d, req, o.camera_id, 'maintain', 'config_change', `work order ${o.id} does not exist`);
    return d.health.workOrders.respond(actor, o.id);
  });

  app.post('/work-orders/:id/close', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Close a work order: a fresh sample of the camera is taken and must pass diagnostics (the proof of repair)',
      params: idParams,
      body: z.strictObject({ note: z.string().max(2000).default('') }),
      response: { 200: z.object({ order: workOrder, proof: z.object({ diagnosticId: z.number(), ok: z.boolean() }) }), ...errorResponses },
    },
  }, async (req) => {
    const o = await d.health.workOrders.get(req.params.id);
    const { camera, actor } = await cameraWith(d, req, o.camera_id, 'maintain', 'config_change', `work order ${o.id} does not exist`);
    const r = await d.health.workOrders.close(actor, o.id, watched(camera), req.body.note);
    return { order: r.order, proof: { diagnosticId: r.proof.diagnosticId, ok: r.proof.ok } };
  });

  app.get('/notices', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Removal and relocation notices (R7.3) of the cameras one may see, newest first, each judged against its notice period',
      querystring: z.strictObject({ cameraId: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(notice) }), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const rows = await d.health.repo.notices({ ...(req.query.cameraId ? { cameraIds: [req.query.cameraId] } : {}), limit: req.query.limit });
    const cameras = await Promise.all([...new Set(rows.map((r) => r.camera_id))].map((id) => d.registry.cameras.get(id).catch(() => undefined)));
    const subjects = await d.access.subjects.cameras(cameras.filter((c) => c !== undefined));
    return {
      items: rows
        .filter((r) => subjects.has(r.camera_id) && can(actor, 'read-health', subjects.get(r.camera_id)!))
        .map((r) => ({ id: r.id, cameraId: r.camera_id, kind: r.kind, noticeAt: r.notice_at, plannedAt: r.planned_at, inTime: r.in_time === 1, noticeDays: r.notice_days, article: r.article, reason: r.reason, profileId: r.profile_id, filedBy: r.filed_by })),
    };
  });

  app.post('/cameras/:id/notices', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "File notice of a camera's removal or relocation (R7.3); checked against the profile's notice period with its article",
      params: idParams,
      body: z.strictObject({ kind: z.enum(['removal', 'relocation']), plannedAt: z.number().int().positive() }),
      response: {
        201: z.object({ id: z.number(), inTime: z.boolean(), noticeDays: z.number().nullable(), article: z.string().nullable(), latestNoticeAt: z.number().nullable(), daysGiven: z.number(), reason: z.string(), profileId: z.string() }),
        ...errorResponses,
      },
    },
  }, async (req, reply) => {
    const { camera, actor } = await cameraWith(d, req, req.params.id, 'approve-view', 'registry_change');
    return reply.status(201).send(await d.health.workOrders.fileNotice(actor, camera, req.body.kind, req.body.plannedAt));
  });
};
