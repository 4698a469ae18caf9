// Alarms (issue 7 §4): the list, acknowledgement, operators' reports of suspicious events to the
// police (R3.2) and the console's event stream (Server-Sent Events at GET /events).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Errors } from '../../../errors.js';
import type { Actor } from '../../../access/actor.js';
import { cameraWith, watched, type HealthRouteDeps } from '../health-status/support.js';
import { alarmView, type HealthEvent } from '../../../health/events.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

const alarm = z.object({
  id: z.number(), at: z.number(), kind: z.string(), severity: z.string(), cameraId: z.number().nullable(), organisationId: z.number().nullable(), title: z.string(),
  detail: z.record(z.string(), z.unknown()), snapshot: z.string().nullable(), clipFrom: z.number().nullable(), clipTo: z.number().nullable(), reportedBy: z.number().nullable(),
  workOrderId: z.number().nullable(), acknowledgedAt: z.number().nullable(), acknowledgedBy: z.number().nullable(),
});

const HEARTBEAT_MS = 15_000;

export const alarmRoutes: FastifyPluginAsyncZod<HealthRouteDeps> = async (app, d) => {
  const tags = ['alarms'];

  // Who sees which event is the use case's rule (health/event-visibility.ts), shared with the event list.
  const visibility = (actor: Actor) => d.health.visibility.of(actor);

  app.get('/alarms', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Alarms one may see, newest first',
      querystring: z.strictObject({ afterId: z.coerce.number().int().min(0).optional(), kind: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(alarm) }), ...errorResponses },
    },
  }, async (req) => {
    const visible = visibility(actorOf(req));
    const rows = await d.health.repo.alarms({ ...(req.query.afterId !== undefined ? { afterId: req.query.afterId } : {}), ...(req.query.kind ? { kind: req.query.kind } : {}), limit: req.query.limit });
    const items = [];
    for (const r of rows) if (await visible(r.camera_id, r.organisation_id)) items.push(alarmView(r));
    return { items };
  });

  app.post('/alarms/:id/acknowledge', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Acknowledge an alarm (once)', params: idParams, response: { 200: alarm, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const row = await d.health.repo.alarm(req.params.id);
    if (row?.camera_id != null) await cameraWith(d, req, row.camera_id, 'read-health');
    else if (!row || !(await visibility(actor)(null, row.organisation_id))) {
      throw Errors.notFound(`alarm ${req.params.id} does not exist`);
    }
    return d.health.alarms.acknowledge(req.params.id, actor.userId);
  });

  app.post('/cameras/:id/suspicious-events', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Report suspicious information to the police (R3.2: AH-17(1), WH-21(5), HRB-25(4)) with a snapshot taken now and a reference to the recorded clip',
      params: idParams,
      body: z.strictObject({
        description: z.string().min(3).max(4000),
        seenAt: z.number().int().positive().optional(),
        clipFrom: z.number().int().positive().optional(),
        clipTo: z.number().int().positive().optional(),
      }),
      response: { 201: alarm, ...errorResponses },
    },
  }, async (req, reply) => {
    const { camera, actor } = await cameraWith(d, req, req.params.id, 'report-suspicious', 'view');
    const seenAt = req.body.seenAt ?? d.health.status.now();
    const snapshot = await d.health.diagnostics.snapshotNow(watched(camera));
    const view = await d.health.alarms.report(actor, {
      camera, description: req.body.description, seenAt,
      clipFrom: req.body.clipFrom ?? seenAt - 30_000, clipTo: req.body.clipTo ?? seenAt + 30_000, snapshot,
    });
    return reply.status(201).send(view);
  });

  app.get('/events', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Server-Sent Events: alarms, work-order changes, diagnoses and recording events (gaps, connects, errors) of the cameras one may see' },
  }, async (req, reply) => {
    const visible = visibility(actorOf(req));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': vigil health events\n\n');
    let queue = Promise.resolve();
    const send = (e: HealthEvent) => {
      const where = e.type === 'alarm' ? [e.alarm.cameraId, e.alarm.organisationId] as const : e.type === 'work_order' ? [e.workOrder.cameraId, null] as const : [e.cameraId, null] as const;
      // Events go out in order even though each visibility check may wait on the database.
      queue = queue.then(async () => {
        if (res.writableEnded || !(await visible(where[0], where[1]))) return;
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      }).catch(() => undefined);
    };
    const unsubscribe = d.health.hub.subscribe(send);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
};
