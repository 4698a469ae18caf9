// GB/T 28181 channels from the console: PTZ (steer, zoom, presets) and the device's own
// recordings for the playback timeline. Thin: the use cases decide and register.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { GbDeviceRecordsService } from '../../../gb28181/device-records.service.js';
import type { GbPtzService } from '../../../gb28181/ptz.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';
import { cameraParams } from '../live/schema.js';
import { instant } from '../playback/schema.js';

export interface GbRouteDeps {
  ptz: GbPtzService;
  deviceRecords: GbDeviceRecordsService;
}

const ptzBody = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('move'),
    pan: z.enum(['left', 'right']).optional(),
    tilt: z.enum(['up', 'down']).optional(),
    zoom: z.enum(['in', 'out']).optional(),
    speed: z.number().int().min(0).max(255).optional().describe('Pan/tilt speed 0–255 (default 128)'),
    zoomSpeed: z.number().int().min(0).max(15).optional().describe('Zoom speed 0–15 (default 8)'),
  }),
  z.strictObject({ action: z.literal('stop') }),
  z.strictObject({ action: z.literal('preset'), op: z.enum(['set', 'goto', 'delete']), preset: z.number().int().min(1).max(255) }),
]);

export const gb28181Routes: FastifyPluginAsyncZod<GbRouteDeps> = async (app, d) => {
  const tags = ['gb28181'];

  app.post('/cameras/:cameraId/ptz', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Steer a GB/T 28181 camera: move (pan/tilt/zoom), stop, or a preset (DeviceControl PTZCmd); needs ptz:control on the camera, registered',
      params: cameraParams,
      body: ptzBody,
      response: { 200: z.object({ ptzCmd: z.string().describe('The 8-byte PTZCmd sent, hex') }).describe('PtzSent'), ...errorResponses },
    },
  }, async (req) => d.ptz.command(actorOf(req), req.params.cameraId, req.body));

  app.get('/cameras/:cameraId/ptz', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Whether the camera takes PTZ from this platform (a GB/T 28181 channel) and whether you may steer it',
      params: cameraParams,
      response: { 200: z.object({ gb28181: z.boolean(), mayControl: z.boolean() }).describe('PtzOffer'), ...errorResponses },
    },
  }, async (req) => d.ptz.offer(actorOf(req), req.params.cameraId));

  app.get('/cameras/:cameraId/device-records', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: "The recordings the camera's GB/T 28181 device keeps (RecordInfo), for the timeline beside Vigil's own; needs playback of the camera",
      params: cameraParams,
      querystring: z.strictObject({ from: instant.describe('Start (ISO 8601 or epoch ms)'), to: instant.describe('End; at most 32 days after from') }),
      response: {
        200: z.object({
          cameraId: z.number(),
          channelId: z.string(),
          from: z.number(),
          to: z.number(),
          ranges: z.array(z.object({ startMs: z.number(), endMs: z.number(), source: z.literal('device'), type: z.string().nullable(), name: z.string().nullable() })).describe("The device's recordings, clipped to the span"),
        }).describe('DeviceRecords'),
        ...errorResponses,
      },
    },
  }, async (req) => d.deviceRecords.list(actorOf(req), req.params.cameraId, req.query.from, req.query.to));
};
