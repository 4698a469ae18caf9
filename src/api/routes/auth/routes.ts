import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Stage } from '../../../access/account.service.js';
import type { Access } from '../../../access/index.js';
import { PERMISSIONS } from '../../../access/permissions.js';
import { Errors } from '../../../errors.js';
import { actorOf, clearSessionCookie, setSessionCookie } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';

const meSchema = z
  .object({
    userId: z.number(),
    login: z.string(),
    displayName: z.string(),
    workId: z.string().nullable(),
    organisationId: z.number().nullable(),
    roles: z.array(z.object({ role: z.string(), organisationId: z.number().nullable() })),
    permissions: z.array(z.string()),
    stage: z.enum(['full', 'enrol', 'password']).describe('password: choose one\'s own password first; enrol: then set up the second factor'),
    csrfToken: z.string().nullable(),
  })
  .describe('SignedIn');

export const authRoutes: FastifyPluginAsyncZod<{ access: Access }> = async (app, { access }) => {
  const tags = ['sign-in'];

  app.post('/auth/login', {
    config: { access: 'public', statuses: [401, 423] },
    schema: {
      tags,
      summary: 'Sign in with login name, password and (once enrolled) the 6-digit TOTP code; sets the session cookie. Every failure is the same 401; attempts too soon after failures from the same address get 429 with Retry-After',
      body: z.strictObject({ login: z.string().min(1).max(200), password: z.string().min(1).max(1024), totp: z.string().max(12).optional() }),
      response: { 200: meSchema.extend({ expiresAt: z.number() }), ...errorResponses },
    },
  }, async (req, reply) => {
    const s = await access.accounts.login({ ...req.body, sourceAddress: req.ip ?? null });
    setSessionCookie(req, reply, s.sessionSecret, s.expiresAt);
    return { ...me(s.actor, s.stage, s.csrfToken), expiresAt: s.expiresAt };
  });

  app.post('/auth/logout', {
    config: { access: 'enrolment' },
    schema: { tags, summary: 'Sign out: the session ends here and for every stream it opened', response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await access.accounts.logout(actorOf(req));
    clearSessionCookie(req, reply);
    return reply.status(204).send(null);
  });

  app.get('/auth/me', {
    config: { access: 'enrolment' },
    schema: { tags, summary: 'Who is signed in, with roles, permissions and the CSRF token for unsafe requests', response: { 200: meSchema, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const stage = req.sessionSecret ? ((await access.accounts.fromSession(req.sessionSecret, req.ip ?? null))?.stage ?? 'full') : 'full';
    return me(actor, stage, req.sessionSecret ? access.accounts.csrfFor(req.sessionSecret) : null);
  });

  app.post('/auth/totp/enrol', {
    config: { access: 'enrolment' },
    schema: { tags, summary: 'Start second-factor enrolment: a secret and its otpauth:// URI for an authenticator app', response: { 200: z.object({ secret: z.string(), uri: z.string() }), ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    if (!actor.sessionId) throw Errors.forbidden('enrol with your own sign-in, not an API token').withParams({ reason: 'enrol-with-token' });
    return access.accounts.enrolTotp(actor);
  });

  app.post('/auth/totp/confirm', {
    config: { access: 'enrolment' },
    schema: { tags, summary: 'Finish enrolment with the first code; the session becomes full', body: z.strictObject({ code: z.string().regex(/^\d{6}$/) }), response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await access.accounts.confirmTotp(actorOf(req), req.body.code);
    return reply.status(204).send(null);
  });

  app.post('/auth/password', {
    // Open before the second factor too: an administrator-set password is replaced first.
    config: { access: 'enrolment' },
    schema: { tags, summary: 'Change one\'s own password; every other session and API token of one\'s own ends', body: z.strictObject({ current: z.string().min(1).max(1024), next: z.string().min(1).max(1024) }), response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await access.accounts.changePassword(actorOf(req), req.body.current, req.body.next);
    return reply.status(204).send(null);
  });

  app.post('/stream-tokens', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['footage'],
      summary: 'A single-use media URL token (about a minute) for a live or playback stream; the use is registered',
      body: z.strictObject({
        cameraId: z.number().int().positive(),
        kind: z.enum(['live', 'playback']),
        from: z.number().int().nonnegative().optional(),
        to: z.number().int().nonnegative().optional(),
        source: z.enum(['recording', 'device']).optional().describe('Playback of our recording (default) or of the GB/T 28181 device\'s own (the register names the device as source)'),
        requestId: z.number().int().positive().optional().describe('Play under this access request only: approved (investigators, and private persons\' viewings, CN799-21), or submitted and awaiting the caller\'s decision (approver\'s preview)'),
      }),
      response: { 201: z.object({ token: z.string(), expiresAt: z.number(), basis: z.enum(['role', 'request', 'preview']).describe('preview: an approver watching a submitted request\'s range before deciding it'), requestId: z.number().nullable() }), ...errorResponses },
    },
  }, async (req, reply) => {
    if (req.body.kind === 'playback' && (req.body.from === undefined || req.body.to === undefined)) throw Errors.validation('playback needs from and to');
    const t = await access.footage.issueStreamToken(actorOf(req), req.body);
    return reply.status(201).send({ token: t.token, expiresAt: t.expiresAt, basis: t.decision.basis, requestId: t.decision.requestId });
  });
};

function me(actor: import('../../../access/actor.js').Actor, stage: Stage, csrfToken: string | null) {
  return {
    userId: actor.userId,
    login: actor.login,
    displayName: actor.displayName,
    workId: actor.workId,
    organisationId: actor.organisationId,
    roles: actor.grants.map((g) => ({ role: g.role, organisationId: g.organisationId })),
    permissions: PERMISSIONS.filter((p) => actor.holds(p)),
    stage,
    csrfToken,
  };
}
