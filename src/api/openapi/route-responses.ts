// What the OpenAPI document says about every operation beyond its own schema: how to
// authenticate (cookie session + CSRF header, or a bearer API token) and which error statuses it
// can answer. Both are derived here, in one place, from the route's shape and its access rule
// (config.access, the rule the route gate enforces), so no route can forget them:
//   any route            400 invalid input, 429 too many requests (rate limits)
//   gated (not public)   401 not signed in / token not valid, 403 not permitted, CSRF, second factor
//   path parameters      404 no such object (or not one the caller may see), 414 parameter too long
//   unsafe methods       409 conflicts with the current state, 413 body too large, 415 media type,
//                        422 refused by a rule of the jurisdiction
// A route adds statuses particular to it with `config.statuses` (e.g. 423 on sign-in).
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { RouteAccess } from '../plugins/auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error statuses this route answers beyond those its shape and access rule imply. */
    statuses?: number[];
  }
}

export const SECURITY_SCHEMES = {
  session: { type: 'apiKey', in: 'cookie', name: 'vigil_session', description: 'The session cookie set by POST /api/v1/auth/login.' },
  csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: "The session's csrfToken (from sign-in or GET /api/v1/auth/me); required with the cookie on POST, PUT, PATCH and DELETE." },
  bearer: { type: 'http', scheme: 'bearer', description: 'An API token (vigil_…) made under Users → API tokens; no CSRF token needed.' },
} as const;

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (the message names the field)',
  401: 'Not signed in, or the session or API token is not valid',
  403: 'Not permitted: a missing permission or scope, a missing CSRF token, or a second factor still to enrol',
  404: 'No such object, or none the caller may see',
  409: 'Conflicts with the current state',
  413: 'The request body is too large',
  414: 'A path parameter is too long',
  415: 'The body is not of a media type this operation accepts',
  422: 'Refused by a rule of the jurisdiction',
  423: 'The account is locked after failed sign-ins',
  429: 'Too many requests: wait as Retry-After says',
  503: 'A required service is not available',
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The one error shape (src/api/plugins/errors.ts), added to the app once and referred to by every operation. */
export const ERROR_SCHEMA_ID = 'VigilError';

export const ERROR_BODY = {
  $id: ERROR_SCHEMA_ID,
  title: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['message'] } },
        articles: { type: 'array', items: { type: 'string' } },
        correlationId: { type: 'string' },
      },
    },
  },
};

export interface RouteShape {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  statuses?: readonly number[];
}

/** The error statuses an operation documents, from its shape and access rule. */
export function errorStatuses(route: RouteShape): number[] {
  const s = new Set<number>([400, 429]);
  if (route.access !== undefined && route.access !== 'public') {
    s.add(401);
    s.add(403);
  }
  if (route.url.includes(':')) {
    s.add(404);
    s.add(414);
  }
  if (UNSAFE.has(route.method)) for (const c of [409, 413, 415, 422]) s.add(c);
  for (const c of route.statuses ?? []) s.add(c);
  return [...s].sort((a, b) => a - b);
}

/** How an operation may authenticate, as an OpenAPI security requirement. */
export function securityOf(route: RouteShape): Record<string, string[]>[] {
  if (route.access === undefined || route.access === 'public') return [];
  return UNSAFE.has(route.method) ? [{ session: [], csrf: [] }, { bearer: [] }] : [{ session: [] }, { bearer: [] }];
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0] & { route: RouteOptions };

/** The zod → JSON Schema transform, plus the security and error statuses of every operation. */
export function openApiTransform(input: TransformInput) {
  const { route } = input;
  // The console's files and other routes outside the API declare no schema: they are no operation.
  if (!input.schema && !route.url.startsWith('/api/')) return { schema: { hide: true }, url: input.url };
  const out = jsonSchemaTransform({ ...input, schema: input.schema ?? {} });
  const schema = out.schema as Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> };
  if (schema.hide) return out;
  const config = (route.config ?? {}) as { access?: RouteAccess; statuses?: number[] };
  const method = [route.method].flat()[0]!.toString().toUpperCase();
  const shape: RouteShape = { method, url: route.url, access: config.access, statuses: config.statuses };
  const response: Record<string, unknown> = { ...(schema.response ?? { '2XX': { description: 'Success' } }) };
  for (const status of errorStatuses(shape)) {
    response[status] ??= { description: DESCRIPTIONS[status] ?? 'Error', $ref: `${ERROR_SCHEMA_ID}#` };
  }
  const security = securityOf(shape);
  return { ...out, schema: { ...schema, response, security } };
}
