// Which recorder node records each camera (issue 22): the console's camera list asks for the
// cameras on its page. Only cameras the caller may see the health of are answered.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RecordingNodes } from '../../../health/recording-nodes.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';

const recordingNode = z.object({
  cameraId: z.number(),
  nodeId: z.string().nullable().describe('The recorder node that holds the camera\'s lease now; null: none does (a takeover under way, no capacity)'),
  epoch: z.number().nullable().describe('The lease\'s epoch (the fencing token on its recording rows)'),
  since: z.number().nullable().describe('When that node took the camera, epoch ms (database clock)'),
});

export const clusterRoutes: FastifyPluginAsyncZod<{ recordingNodes: RecordingNodes }> = async (app, { recordingNodes }) => {
  app.get('/cluster/recording-nodes', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['cluster'],
      summary: 'Which recorder node records each of the cameras named (PostgreSQL clusters; on SQLite clustered is false and one process records every camera)',
      querystring: z.strictObject({ cameraIds: z.string().regex(/^\d{1,15}(,\d{1,15}){0,199}$/, 'camera ids separated by commas, at most 200').describe('Camera ids separated by commas, at most 200') }),
      response: { 200: z.object({ clustered: z.boolean(), items: z.array(recordingNode) }), ...errorResponses },
    },
  }, async (req) => recordingNodes.of(actorOf(req), req.query.cameraIds.split(',').map(Number)));
};
