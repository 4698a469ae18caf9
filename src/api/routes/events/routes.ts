// The event list across cameras (issue 20 item 10) and its pictures: an alarm's snapshot and a
// frame of a camera's recording at an instant. The rules (who sees which event, which picture,
// what is registered) are the event list use case's (health/event-list.service.ts).
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EVENT_KINDS, SEVERITIES } from '../../../health/event-list.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import type { HealthRouteDeps } from '../health-status/support.js';

const instant = z.coerce.number().int().min(0);
const list = <T extends string>(values: readonly T[], what: string) =>
  z.string().max(400).transform((s, ctx) => {
    const items = s.split(',').filter(Boolean);
    const unknown = items.filter((i) => !(values as readonly string[]).includes(i));
    if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown ${what}: ${unknown.join(', ')}` });
    return items as T[];
  }).describe(`Comma-separated ${what}s: ${values.join(', ')}`);

const event = z.object({
  id: z.string(), source: z.enum(['alarm', 'recording']), sourceId: z.number(), at: z.number(), endAt: z.number().nullable(), kind: z.string(), severity: z.string(),
  cameraId: z.number().nullable().describe('Null for an alarm with no camera (storage, one routed to an organisation)'), cameraName: z.string().nullable(),
  organisationId: z.number().nullable().describe('The organisation an alarm with no camera is routed to'), title: z.string(), detail: z.record(z.string(), z.unknown()),
  playAt: z.number().describe('The instant to play back: a report\'s sighting, an alarm\'s clip start, else at'),
  picture: z.enum(['snapshot', 'recording']).nullable().describe('snapshot: GET /alarms/{sourceId}/snapshot; recording: GET /cameras/{cameraId}/recorded-frame?at={playAt}'),
  acknowledgedAt: z.number().nullable(),
}).describe('ListedEvent');

export const eventRoutes: FastifyPluginAsyncZod<HealthRouteDeps> = async (app, d) => {
  const tags = ['events'];

  app.get('/events/search', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Events one may see (alarms, also those with no camera, and the cameras\' recording events), newest first, a page at a time',
      querystring: z.strictObject({
        from: instant,
        to: instant,
        cameraIds: z.string().regex(/^\d+(,\d+){0,199}$/).optional().describe('Comma-separated camera ids (at most 200)'),
        organisationId: z.coerce.number().int().positive().optional().describe('Cameras of this organisation\'s subtree'),
        kinds: list(EVENT_KINDS, 'kind').optional(),
        severities: list(SEVERITIES, 'severity').optional(),
        cursor: z.string().max(100).optional().describe('The previous page\'s `next`'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ items: z.array(event), next: z.string().nullable() }).describe('EventListPage'), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    return d.health.events.list(actorOf(req), {
      from: q.from, to: q.to, limit: q.limit,
      ...(q.cameraIds ? { cameraIds: q.cameraIds.split(',').map(Number) } : {}),
      ...(q.organisationId !== undefined ? { organisationId: q.organisationId } : {}),
      ...(q.kinds?.length ? { kinds: q.kinds } : {}),
      ...(q.severities?.length ? { severities: q.severities } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
  });

  app.get('/alarms/:id/snapshot', {
    config: { access: 'signed-in' },
    schema: { tags, summary: "An alarm's snapshot (JPEG); viewing it is registered like viewing footage", params: idParams },
  }, async (req, reply) => {
    const file = await d.health.events.alarmSnapshot(actorOf(req), req.params.id);
    return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(createReadStream(file));
  });

  app.get('/cameras/:id/recorded-frame', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "A picture (JPEG) of the camera's recording at an instant, for one who may play it back; registered as a view of footage",
      params: idParams,
      querystring: z.strictObject({ at: instant }),
    },
  }, async (req, reply) => {
    const jpeg = await d.health.events.recordedFrame(actorOf(req), req.params.id, req.query.at);
    return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(jpeg);
  });
};
