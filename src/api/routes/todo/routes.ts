import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';

// What waits for the signed-in person, for the console's to-do badge: each list is what the use
// case that acts on it would accept from this person.
export const todoRoutes: FastifyPluginAsyncZod<{ access: Access }> = async (app, { access }) => {
  app.get('/todo', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['access requests'],
      summary: 'What waits for me: access requests to confirm as an officer or to approve, and role grants to confirm as a second administrator',
      response: {
        200: z.object({
          confirm: z.array(z.number()).describe('drafts naming me as an officer that I have not confirmed'),
          approve: z.array(z.number()).describe('submitted requests whose missing approval a role of mine can give'),
          grants: z.array(z.number()).describe('role grants waiting for a second administrator that I may confirm'),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const [requests, grants] = await Promise.all([access.requests.todo(actor), access.users.awaitingConfirmationBy(actor)]);
    return { ...requests, grants };
  });
};
