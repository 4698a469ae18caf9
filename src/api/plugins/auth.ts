// Authentication and the route gate for /api/v1. Every route declares `config.access`; one that
// declares nothing makes the app refuse to start, so no route is ever open by omission.
//   'public'     anyone (sign-in)
//   'enrolment'  also a session that still has to enrol its second factor
//   'signed-in'  any fully signed-in person or API token
//   <permission> someone holding that permission somewhere; handlers then check the object
// Sessions come from the httpOnly cookie (unsafe methods also need x-csrf-token); machine
// clients send `Authorization: Bearer vigil_…`. Every refusal is written to the access register.
import { permissionRefusalText, policyRefusalText } from '../../access/refusal-words.js';
import '@fastify/cookie';
import type { RegistryChangesBy } from '../../access/registry-changes.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.js';
import type { Access } from '../../access/index.js';
import { AccessErrors } from '../../access/errors.js';
import { isPermission, type Permission } from '../../access/permissions.js';
import { can, isHiddenRefusal, refusal, type Subject } from '../../access/policy.js';
import { ACTION_OF_PERMISSION, markRecorded, wasRecorded } from '../../access/security-log.js';
import type { AuditAction } from '../../audit/entry.js';
import { Errors, isVigilError } from '../../errors.js';

export type RouteAccess = 'public' | 'enrolment' | 'signed-in' | Permission;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The cookie value behind the session, to derive its CSRF token. */
    sessionSecret: string | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
    /**
     * The real condition when the gate's permission is only a first filter (a policy in the use
     * case decides): a refusal at the gate names this policy action instead of the permission.
     */
    needs?: string;
  }
}

export const SESSION_COOKIE = 'vigil_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function declared(access: unknown): access is RouteAccess {
  return access === 'public' || access === 'enrolment' || access === 'signed-in' || (typeof access === 'string' && isPermission(access));
}

export interface GatedRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

const gated = new WeakMap<Access, GatedRoute[]>();

/** Every /api/v1 route with its declared rule, in registration order (the authorisation matrix walks it). */
export function gatedRoutes(access: Access): readonly GatedRoute[] {
  return gated.get(access) ?? [];
}

export function registerAuth(api: FastifyInstance, access: Access): void {
  api.decorateRequest('actor', null);
  api.decorateRequest('sessionSecret', null);
  const routes: GatedRoute[] = [];
  gated.set(access, routes);

  api.addHook('onRoute', (route) => {
    const rule = (route.config as { access?: unknown } | undefined)?.access;
    if (!declared(rule)) throw new Error(`route ${String(route.method)} ${route.url} declares no access rule (config.access)`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, access: rule });
  });

  api.addHook('onRequest', async (req) => {
    const rule = req.routeOptions.config.access;
    if (rule === undefined) return; // not a route: the 404 handler answers
    await admitRequest(access, req, rule);
  });

  // Safety net: any refusal (401, 403, 429) that code further in did not register is registered
  // here; those of callers nobody could identify are summed per address so a flood cannot fill
  // the disk through the register.
  api.addHook('onError', async (req, _reply, error) => registerRefusal(access, req, error));
}

/**
 * The gate itself, for /api/v1 and for anything else behind sign-in (the API docs): the request
 * limits, who calls (an API token, or the session cookie with its CSRF token on unsafe methods
 * and its stage), then `rule`. Sets `req.actor`; throws the refusal, registered only where it
 * says so (markRecorded) — `registerRefusal` writes the rest.
 */
export async function admitRequest(access: Access, req: FastifyRequest, rule: RouteAccess): Promise<void> {
  const address = req.ip ?? null;
  limit(access, `a:${address ?? '-'}`);
  const authz = req.headers.authorization;
  if (typeof authz === 'string' && authz.startsWith('Bearer ')) {
    req.actor = await access.accounts.fromApiToken(authz.slice(7).trim(), address);
    if (!req.actor) {
      await access.anonymousRefusals.refuse('unknown API token', { action: 'login', outcome: 'failed', sourceAddress: address, reason: 'unknown, expired or revoked API token', target: targetOf(req) });
      throw markRecorded(Errors.unauthenticated('the API token is unknown, expired or revoked'));
    }
  } else {
    const secret = req.cookies?.[SESSION_COOKIE];
    if (secret) {
      const auth = await access.accounts.fromSession(secret, address);
      if (auth) {
        if (!SAFE_METHODS.has(req.method) && !access.accounts.checkCsrf(secret, headerOf(req, 'x-csrf-token'))) {
          await access.log.record(auth.actor, { action: actionOf(rule), outcome: 'refused', reason: 'missing or wrong CSRF token', target: targetOf(req) });
          throw markRecorded(AccessErrors.csrf());
        }
        req.actor = auth.actor;
        req.sessionSecret = secret;
        if (auth.stage !== 'full' && rule !== 'enrolment' && rule !== 'public') {
          throw auth.stage === 'password' ? AccessErrors.passwordChangeRequired() : AccessErrors.enrolmentRequired();
        }
      }
    }
  }
  if (req.actor) limit(access, `u:${req.actor.userId}`);
  if (rule === 'public') return;
  if (!req.actor) throw Errors.unauthenticated(req.cookies?.[SESSION_COOKIE] ? 'the session has ended or is unknown; sign in again' : 'sign in first');
  if (rule === 'signed-in' || rule === 'enrolment') return;
  if (!req.actor.holds(rule)) {
    await access.log.record(req.actor, { action: ACTION_OF_PERMISSION[rule], outcome: 'refused', reason: `needs ${rule}`, target: targetOf(req) });
    const needs = req.routeOptions.config.needs;
    const refusal = needs
      ? Errors.forbidden(policyRefusalText(needs, 'Organisation', null)).withParams({ rule: 'policy', action: needs, subject: 'Organisation' })
      : Errors.forbidden(permissionRefusalText(rule)).withParams({ rule: 'permission', permission: rule });
    throw markRecorded(refusal);
  }
}

/**
 * Registers a refusal (401, 403, 429, or a 404 hiding one) that was not registered yet, once:
 * the identified caller's alone, an unidentified caller's counted per address and kind.
 */
export async function registerRefusal(access: Access, req: FastifyRequest, error: unknown, rule: RouteAccess | undefined = req.routeOptions.config.access): Promise<void> {
  if (!isVigilError(error) || !(REFUSALS.has(error.status) || isHiddenRefusal(error)) || wasRecorded(error)) return;
  const entry = { action: rule ? actionOf(rule) : 'config_change', outcome: 'refused', reason: error.message, target: targetOf(req), detail: { code: error.code } } as const;
  if (req.actor) await access.log.record(req.actor, entry);
  else await access.anonymousRefusals.refuse(`${error.status} ${error.code}`, { ...entry, sourceAddress: req.ip ?? null });
  markRecorded(error);
}

function targetOf(req: FastifyRequest): string {
  return `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;
}

const REFUSALS = new Set([401, 403, 429]);

/** The request limits of the access rules (per address, per account): 429 with Retry-After. */
function limit(access: Access, key: string): void {
  const wait = access.requestLimit.take(key);
  if (wait > 0) throw AccessErrors.tooManyRequests(wait);
}

function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function actionOf(rule: RouteAccess): AuditAction {
  return isPermission(rule) ? ACTION_OF_PERMISSION[rule] : 'config_change';
}

/** The signed-in actor of a gated route. */
/** How the request's actor's registry change is registered and the sources they name judged (src/access/registry-changes.ts). */
export function changesBy(access: Access, req: FastifyRequest): RegistryChangesBy {
  return access.registryChangesBy(actorOf(req), `${req.method} ${req.routeOptions.url}`);
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw Errors.unauthenticated();
  return req.actor;
}

/**
 * Object-level check inside a handler: `await guard(access, req, 'change', camera, 'registry_change')`.
 * A refusal is registered, then thrown; about something the actor may not see at all it is the
 * 404 a nonexistent one gets (`hideAs`: the words of that 404 when not "<kind> <id> does not exist").
 */
export async function guard(access: Access, req: FastifyRequest, action: string, subject: Subject, auditAction: AuditAction, cameraIds: number[] = [], hideAs?: string): Promise<Actor> {
  const actor = actorOf(req);
  if (!can(actor, action, subject)) {
    await access.log.refuse(actor, { action: auditAction, cameraIds, reason: `${action} ${subject.kind} refused`, target: `${req.method} ${req.routeOptions.url}` }, refusal(action, subject, actor, hideAs));
  }
  return actor;
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, secret: string, expiresAt: number): void {
  reply.setCookie(SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https', expires: new Date(expiresAt) });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https' });
}
