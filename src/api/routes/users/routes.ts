import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../../access/index.js';
import { PERMISSIONS, ROLES } from '../../../access/permissions.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses, idParams } from '../common.schema.js';

const userSchema = z
  .object({
    id: z.number(),
    login: z.string(),
    displayName: z.string(),
    workId: z.string().nullable(),
    organisationId: z.number().nullable(),
    status: z.enum(['active', 'disabled']),
    totpEnrolled: z.boolean(),
    grants: z.array(z.object({ id: z.number(), role: z.string(), organisationId: z.number().nullable(), awaitingConfirmation: z.boolean().describe('granted by the administrator who created the account: no power until a second administrator confirms') })),
    createdAt: z.number(),
  })
  .describe('User');

const tokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  permissions: z.array(z.string()),
  organisationId: z.number().nullable(),
  expiresAt: z.number(),
  revokedAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
  createdAt: z.number(),
});

export const userRoutes: FastifyPluginAsyncZod<{ access: Access }> = async (app, { access }) => {
  const tags = ['users and roles'];
  const users = access.users;

  app.get('/users', {
    config: { access: 'users:manage' },
    schema: { tags, summary: 'People of the organisations one manages', response: { 200: z.object({ items: z.array(userSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await users.list(actorOf(req)) }));

  app.post('/users', {
    config: { access: 'users:manage' },
    schema: {
      tags,
      summary: 'Create an account; without a password one is generated and shown once',
      body: z.strictObject({
        login: z.string().min(2).max(64),
        displayName: z.string().trim().min(1).max(200),
        workId: z.string().trim().min(1).max(64).nullable().optional().describe('工作证号 / 警号'),
        organisationId: z.number().int().positive().nullable().optional(),
        password: z.string().min(1).max(1024).optional(),
      }),
      response: { 201: z.object({ user: userSchema, password: z.string().nullable() }), ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await users.create(actorOf(req), req.body)));

  app.get('/users/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One account (one\'s own, or one managed)', params: idParams, response: { 200: userSchema, ...errorResponses } },
  }, async (req) => users.get(actorOf(req), req.params.id));

  app.patch('/users/:id', {
    config: { access: 'users:manage' },
    schema: {
      tags,
      summary: 'Change an account; disabling it ends its sessions, tokens and streams',
      params: idParams,
      body: z.strictObject({
        displayName: z.string().trim().min(1).max(200).optional(),
        workId: z.string().trim().min(1).max(64).nullable().optional(),
        organisationId: z.number().int().positive().nullable().optional(),
        status: z.enum(['active', 'disabled']).optional(),
      }),
      response: { 200: userSchema, ...errorResponses },
    },
  }, async (req) => users.update(actorOf(req), req.params.id, req.body));

  app.post('/users/:id/password', {
    config: { access: 'users:manage' },
    schema: { tags, summary: 'Reset a password (generated when absent, shown once); signs the person out everywhere', params: idParams, body: z.strictObject({ password: z.string().min(1).max(1024).optional() }), response: { 200: z.object({ password: z.string().nullable() }), ...errorResponses } },
  }, async (req) => ({ password: await users.resetPassword(actorOf(req), req.params.id, req.body.password) }));

  app.post('/users/:id/grants', {
    config: { access: 'users:manage' },
    schema: {
      tags,
      summary: 'Grant a role within an organisation (its whole subtree); null organisation: the whole platform',
      params: idParams,
      body: z.strictObject({ role: z.enum(ROLES), organisationId: z.number().int().positive().nullable() }),
      response: { 201: userSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await users.grant(actorOf(req), req.params.id, req.body.role, req.body.organisationId)));

  app.post('/role-grants/:id/confirm', {
    config: { access: 'users:manage' },
    schema: { tags, summary: 'Confirm, as a second administrator, a role granted by the one who created the account', params: idParams, response: { 200: userSchema, ...errorResponses } },
  }, async (req) => users.confirmGrant(actorOf(req), req.params.id));

  app.delete('/role-grants/:id', {
    config: { access: 'users:manage' },
    schema: { tags, summary: 'Take a role away; every session and API token of that person ends and their open streams close within seconds', params: idParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await users.revokeGrant(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });

  app.post('/users/:id/sessions/revoke', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Sign a person out everywhere (oneself, or someone one manages)', params: idParams, response: { 200: z.object({ revoked: z.number() }), ...errorResponses } },
  }, async (req) => ({ revoked: await users.revokeSessions(actorOf(req), req.params.id) }));

  app.get('/api-tokens', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One\'s own API tokens (never their secrets)', response: { 200: z.object({ items: z.array(tokenSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await users.listTokens(actorOf(req)) }));

  app.post('/api-tokens', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'An API token for a machine client: some of one\'s permissions over one subtree, expiring; the secret is shown once',
      body: z.strictObject({
        name: z.string().trim().min(1).max(200),
        permissions: z.array(z.enum(PERMISSIONS)).min(1),
        organisationId: z.number().int().positive().nullable(),
        expiresInDays: z.number().positive().max(366),
      }),
      response: { 201: z.object({ id: z.number(), token: z.string(), expiresAt: z.number() }), ...errorResponses },
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    return reply.status(201).send(await users.createToken(actor, actor.userId, req.body));
  });

  app.delete('/api-tokens/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Revoke an API token (one\'s own, or of someone one manages)', params: idParams, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await users.revokeToken(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });
};
