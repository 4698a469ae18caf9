// The media of an LL-HLS session (playlist with blocking reload, init segment, segments and
// parts), whatever opened it: live view's sessions and a device playback's (issue 18) are served
// by the same routes under their own prefix. The session's unguessable id is the credential.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HlsPackager } from '../../../live/hls-packager.js';
import { hlsPlaylistQuery, sessionParams } from './schema.js';

const BLOCKING_RELOAD_MS = 6000;

export interface HlsSessionRoutes {
  /** Path of the sessions, e.g. "/live/sessions"; the routes are `${prefix}/:sessionId/…`. */
  prefix: string;
  tags: string[];
  /** The packager behind a session (marking it alive), or a typed error for one that is not open. */
  packager(sessionId: string): HlsPackager;
}

export function hlsSessionRoutes(app: FastifyInstance, o: HlsSessionRoutes): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { tags } = o;
  r.get(`${o.prefix}/:sessionId/index.m3u8`, {
    config: { access: 'public' },
    schema: { tags, summary: 'LL-HLS media playlist of a session (blocks until _HLS_msn/_HLS_part exist, up to 6 s)', params: sessionParams, querystring: hlsPlaylistQuery, produces: ['application/vnd.apple.mpegurl'] },
  }, async (req, reply) => {
    const packager = o.packager(req.params.sessionId);
    if (req.query._HLS_msn !== undefined) await packager.waitFor(req.query._HLS_msn, req.query._HLS_part, BLOCKING_RELOAD_MS);
    reply.header('content-type', 'application/vnd.apple.mpegurl').header('cache-control', 'no-store');
    return packager.playlist();
  });

  r.get(`${o.prefix}/:sessionId/init.mp4`, {
    config: { access: 'public' },
    schema: { tags, summary: 'Init segment (ftyp+moov) of an HLS session', params: sessionParams, produces: ['video/mp4'] },
  }, async (req, reply) => {
    const init = o.packager(req.params.sessionId).init;
    if (!init) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no init segment yet' } });
    return reply.header('content-type', 'video/mp4').header('cache-control', 'no-store').send(init);
  });

  r.get(`${o.prefix}/:sessionId/:name`, {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'A segment (seg-N.m4s) or part (part-N-I.m4s) of an HLS session; a part not yet made is waited for briefly',
      params: sessionParams.extend({ name: z.string().regex(/^(seg-\d+|part-\d+-\d+)\.m4s$/) }),
      produces: ['video/iso.segment'],
    },
  }, async (req, reply) => {
    const packager = o.packager(req.params.sessionId);
    const nums = req.params.name.match(/\d+/g)!.map(Number);
    let bytes: Buffer | undefined;
    if (req.params.name.startsWith('seg-')) {
      await packager.waitFor(nums[0]!, undefined, BLOCKING_RELOAD_MS);
      bytes = packager.segmentBytes(nums[0]!);
    } else {
      await packager.waitFor(nums[0]!, nums[1]!, BLOCKING_RELOAD_MS);
      bytes = packager.part(nums[0]!, nums[1]!)?.bytes;
    }
    if (!bytes) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `${req.params.name} is not in the window` } });
    return reply.header('content-type', 'video/iso.segment').header('cache-control', 'max-age=30').send(bytes);
  });
}
