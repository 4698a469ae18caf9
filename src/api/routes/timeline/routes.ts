// The timeline: recorded ranges, gaps, events and coverage for a span from an hour to a month,
// for one camera or for up to four on one shared timeline (synchronised playback).
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TimelineService } from '../../../playback/timeline-service.js';
import { errorResponses } from '../common.schema.js';
import { cameraParams } from '../live/schema.js';
import { instant } from '../playback/schema.js';

/** Throws (403) unless the request's actor may play back this camera. */
export type CameraGate = (req: FastifyRequest, cameraId: number) => Promise<void>;

const range = z.object({ startMs: z.number(), endMs: z.number() });
const cameraTimeline = z
  .object({
    cameraId: z.number(),
    from: z.number(),
    to: z.number(),
    ranges: z.array(range).describe('Recorded, merged'),
    backfilled: z.array(range).describe("The part of the ranges backfilled (补录) from the camera's GB/T 28181 device"),
    gaps: z.array(range).describe('Not recorded, up to now'),
    recordedMs: z.number(),
    firstRecordedMs: z.number().nullable().describe('When the oldest recording still kept begins: time before it is not a gap (the camera was not recording yet)'),
    coveragePct: z.number().describe('Recorded share of [from, min(to, now)], 0–100'),
    events: z.array(z.object({ kind: z.string(), startMs: z.number(), endMs: z.number().nullable(), detail: z.string() })).describe('Camera events: gaps, clock jumps, connects, errors'),
    keptAside: z
      .array(z.object({ startMs: z.number(), endMs: z.number(), node: z.string(), epoch: z.number(), overlapsRecording: z.boolean() }))
      .describe('Footage a recorder node wrote after it had lost the camera\'s lease, kept aside (not part of the recording): the node, the lost epoch, and whether the recording covers the same time'),
  })
  .describe('CameraTimeline');

const spanQuery = {
  from: instant.describe('Start (ISO 8601 or epoch ms)'),
  to: instant.describe('End; at most 32 days after from'),
  joinMs: z.coerce.number().int().min(0).max(86_400_000).optional().describe('Join holes shorter than this (a coarse zoom; default 1500 ms)'),
};

export const timelineRoutes: FastifyPluginAsyncZod<{ timeline: TimelineService; mayPlayBack: CameraGate }> = async (app, { timeline, mayPlayBack }) => {
  const tags = ['timeline'];

  app.get('/timeline/:cameraId', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Recorded ranges, gaps and events of one camera, with coverage %', params: cameraParams, querystring: z.strictObject(spanQuery), response: { 200: cameraTimeline, ...errorResponses } },
  }, async (req) => {
    await mayPlayBack(req, req.params.cameraId);
    return timeline.camera(req.params.cameraId, req.query.from, req.query.to, req.query.joinMs);
  });

  app.get('/timeline', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'A shared timeline of up to four cameras for synchronised playback: each camera\'s timeline and where all have footage',
      querystring: z.strictObject({ ...spanQuery, cameraIds: z.string().regex(/^\d+(,\d+){0,3}$/).describe('Comma-separated camera ids (1–4)') }),
      response: { 200: z.object({ from: z.number(), to: z.number(), cameras: z.array(cameraTimeline), common: z.array(range) }).describe('SharedTimeline'), ...errorResponses },
    },
  }, async (req) => {
    const ids = req.query.cameraIds.split(',').map(Number);
    for (const id of ids) await mayPlayBack(req, id);
    return timeline.shared(ids, req.query.from, req.query.to, req.query.joinMs);
  });
};
