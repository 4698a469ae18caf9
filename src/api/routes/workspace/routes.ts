// One's own bookmarks on footage and saved video wall views (issue 20): thin routes over the
// workspace use cases (src/access/bookmark.service.ts, wall-view.service.ts), which hold the rules.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import { MAX_BOOKMARK_NOTE } from '../../../access/bookmark.service.js';
import { MAX_VIEW_NAME, MAX_WALL_TILES, WALL_LAYOUTS } from '../../../access/wall-view.service.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';
import { instant } from '../playback/schema.js';

const bookmark = z
  .object({ id: z.number(), cameraId: z.number(), at: z.number().describe('The instant marked, epoch ms'), note: z.string(), createdAt: z.number() })
  .describe('Bookmark');

const wallView = z
  .object({
    id: z.number(),
    name: z.string(),
    layout: z.number().describe('1, 4, 9 or 16 tiles'),
    tiles: z.array(z.number().nullable()).describe('The camera on each tile; null: empty, or a camera no longer one\'s to watch'),
    updatedAt: z.number(),
  })
  .describe('WallView');

const currentWall = z
  .object({
    layout: z.number().describe('1, 4, 9 or 16 tiles'),
    tiles: z.array(z.number().nullable()).describe('The camera on each tile (up to 16, kept across layouts); null: empty, or a camera no longer one\'s to watch'),
    updatedAt: z.number().nullable().describe('When it was last kept, epoch ms; null: never (a first visit)'),
  })
  .describe('CurrentWall');

const layout = z.number().int().refine((n) => (WALL_LAYOUTS as readonly number[]).includes(n), 'layout is 1, 4, 9 or 16');

export const workspaceRoutes: FastifyPluginAsyncZod<{ access: Access }> = async (app, { access }) => {
  const { bookmarks, wallViews } = access.workspace;

  app.get('/bookmarks', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['bookmarks'],
      summary: 'My bookmarks on footage, on cameras I may still play back',
      querystring: z.strictObject({
        cameraIds: z.string().regex(/^\d+(,\d+){0,49}$/).optional().describe('Comma-separated camera ids (at most 50)'),
        from: instant.optional(),
        to: instant.optional(),
      }),
      response: { 200: z.array(bookmark), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    return bookmarks.list(actorOf(req), { cameraIds: q.cameraIds?.split(',').map(Number), from: q.from, to: q.to });
  });

  app.post('/bookmarks', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['bookmarks'],
      summary: 'Bookmark an instant of a camera whose footage I may play back',
      body: z.strictObject({ cameraId: z.number().int().positive(), at: z.number().int().nonnegative(), note: z.string().max(MAX_BOOKMARK_NOTE * 2) }),
      response: { 201: bookmark, ...errorResponses },
    },
  }, async (req, reply) => reply.code(201).send(await bookmarks.add(actorOf(req), req.body)));

  app.delete('/bookmarks/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['bookmarks'], summary: 'Remove one of my bookmarks', params: idParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await bookmarks.remove(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/wall-views', {
    config: { access: 'live:view' },
    schema: { tags: ['wall views'], summary: 'My saved video wall views', response: { 200: z.array(wallView), ...errorResponses } },
  }, async (req) => wallViews.list(actorOf(req)));

  app.put('/wall-views', {
    config: { access: 'live:view' },
    schema: {
      tags: ['wall views'],
      summary: 'Save the wall as a named view (a view of that name is replaced); only cameras I may watch live',
      body: z.strictObject({
        name: z.string().max(MAX_VIEW_NAME * 2),
        layout,
        tiles: z.array(z.number().int().positive().nullable()).max(16),
      }),
      response: { 200: wallView, ...errorResponses },
    },
  }, async (req) => wallViews.save(actorOf(req), req.body));

  app.delete('/wall-views/:id', {
    config: { access: 'live:view' },
    schema: { tags: ['wall views'], summary: 'Remove one of my saved views', params: idParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await wallViews.remove(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/wall', {
    config: { access: 'live:view' },
    schema: { tags: ['wall views'], summary: 'My video wall as I last left it (on any browser)', response: { 200: currentWall, ...errorResponses } },
  }, async (req) => (await wallViews.current(actorOf(req))) ?? { layout: 4, tiles: [], updatedAt: null });

  app.put('/wall', {
    config: { access: 'live:view' },
    schema: {
      tags: ['wall views'],
      summary: 'Keep my video wall as it is on screen now; only cameras I may watch live',
      body: z.strictObject({ layout, tiles: z.array(z.number().int().positive().nullable()).max(MAX_WALL_TILES) }),
      response: { 200: currentWall, ...errorResponses },
    },
  }, async (req) => wallViews.keepCurrent(actorOf(req), req.body));
};
