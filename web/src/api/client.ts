// A typed fetch wrapper over /api/v1. Every failure becomes an ApiError carrying the server's
// error body — code, message, field details and the articles behind a refusal — so pages can
// show all of it instead of a bare status.
import type {
  Camera,
  CameraInput,
  CameraQuery,
  CoverageReport,
  Organisation,
  OrganisationInput,
  Page,
  PlaceCategory,
  RecordingNodes,
} from './types';
import type { components } from './generated/openapi.js';
import type { ResponseOf } from './schema.js';

export const API_BASE = '/api/v1';

/** One field the server found wrong: its path and what is wrong with it. */
export type ErrorDetail = NonNullable<components['schemas']['VigilError']['error']['details']>[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly articles: string[] = [],
    readonly correlationId?: string,
    /** What the message is made of, as codes (a refusal's action and subject, …), for wording it. */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  json?: unknown;
  /** A raw text body with its content type, e.g. a CSV file. */
  text?: { body: string; contentType: string };
  /** A file as it is, e.g. an approval document. */
  binary?: { body: Blob | ArrayBuffer; contentType: string };
  signal?: AbortSignal;
  /** The request outlives the page (a change kept as the tab closes or reloads). */
  keepalive?: boolean;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

/** Reads an error body of any shape; a proxy's HTML page or an empty body still gives a message. */
export function toApiError(status: number, body: unknown, fallback: string): ApiError {
  const e = (body as { error?: Partial<Record<string, unknown>> } | null)?.error;
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    const details = Array.isArray(e.details)
      ? e.details.filter((d): d is ErrorDetail => typeof d === 'object' && d !== null && typeof (d as ErrorDetail).message === 'string')
      : [];
    const articles = Array.isArray(e.articles) ? e.articles.filter((a): a is string => typeof a === 'string') : [];
    const params: Record<string, string | number> = {};
    if (e.params && typeof e.params === 'object') {
      for (const [k, v] of Object.entries(e.params as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    }
    return new ApiError(status, typeof e.code === 'string' ? e.code : 'ERROR', e.message, details, articles, typeof e.correlationId === 'string' ? e.correlationId : undefined, params);
  }
  return new ApiError(status, `HTTP_${status}`, fallback);
}

// The session lives in an httpOnly cookie the page cannot read; the CSRF token that unsafe
// requests must echo comes from the sign-in answer (or /auth/me) and is kept here.
let csrfToken: string | null = null;
let onSessionLost: ((e: ApiError) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401 on anything but signing in). */
export function setSessionLostHandler(handler: ((e: ApiError) => void) | null): void {
  onSessionLost = handler;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

// Reads a page load starts before the page asks for them (session/start.ts: beside /auth/me and
// the page's bundle, instead of after the shell and the page have rendered). Each early asker of
// a URL stands for one first read of it (the shell's banner and the page may both read the
// profiles): that many reads take the answer; later reads, and reads after EARLY_MS, ask anew.
const EARLY_MS = 10_000;
const early = new Map<string, { at: number; answer: Promise<unknown>; reads: number }>();
let askingEarly = false;

/** Runs `ask`, whose GETs (each begun synchronously in it) are kept for the page's first read of each. */
export function askEarly(ask: () => void): void {
  askingEarly = true;
  try {
    ask();
  } catch {
    // A guess that fails costs nothing: the page asks again itself.
  } finally {
    askingEarly = false;
  }
}

export function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  if (method !== 'GET') return send<T>(method, path, options);
  const url = buildUrl(path, options.query);
  const kept = early.get(url);
  const fresh = kept && Date.now() - kept.at < EARLY_MS;
  if (askingEarly) {
    // Two early askers of one URL (the shell and the page) share one request, and each has its read.
    if (fresh) {
      kept.reads += 1;
      return kept.answer as Promise<T>;
    }
    const { signal: _unused, ...rest } = options;
    const answer = send<T>(method, path, rest);
    answer.catch(() => undefined);
    early.set(url, { at: Date.now(), answer, reads: 1 });
    return answer;
  }
  if (kept) {
    kept.reads -= 1;
    if (!fresh || kept.reads <= 0) early.delete(url);
    if (fresh) return kept.answer as Promise<T>;
  }
  return send<T>(method, path, options);
}

async function send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.text) {
    headers['content-type'] = options.text.contentType;
    body = options.text.body;
  } else if (options.binary) {
    headers['content-type'] = options.binary.contentType;
    body = options.binary.body;
  }
  if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), { method, headers, body, signal: options.signal, credentials: 'same-origin', keepalive: options.keepalive });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', `the server cannot be reached (${(e as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const err = toApiError(res.status, parsed, `${method} ${path} failed with HTTP ${res.status}`);
    // A wrong password or a missing second-factor code is an answer to the sign-in form, not a lost session.
    if (res.status === 401 && !path.startsWith('/auth/login')) onSessionLost?.(err);
    throw err;
  }
  return parsed as T;
}

export const api = {
  cameras: {
    list: (q: CameraQuery, signal?: AbortSignal) => request<Page<Camera>>('GET', '/cameras', { query: { ...q }, signal }),
    get: (id: number) => request<Camera>('GET', `/cameras/${id}`),
    create: (input: CameraInput) => request<Camera>('POST', '/cameras', { json: input }),
    update: (id: number, patch: Partial<CameraInput>) => request<Camera>('PATCH', `/cameras/${id}`, { json: patch }),
    importCsv: (csv: string) => request<{ imported: number }>('POST', '/cameras/import', { text: { body: csv, contentType: 'text/csv' } }),
    exportUrl: () => buildUrl('/cameras/export'),
  },
  cluster: {
    recordingNodes: (cameraIds: number[], signal?: AbortSignal) => request<RecordingNodes>('GET', '/cluster/recording-nodes', { query: { cameraIds: cameraIds.join(',') }, signal }),
  },
  organisations: {
    list: (q: { kind?: 'platform' | 'unit'; parentId?: number | 'root'; subtreeOf?: number } = {}) =>
      request<{ items: Organisation[] }>('GET', '/organisations', { query: { ...q } }),
    get: (id: number) => request<Organisation & { effectiveProfileId: string }>('GET', `/organisations/${id}`),
    create: (input: OrganisationInput) => request<Organisation>('POST', '/organisations', { json: input }),
    update: (id: number, patch: Partial<OrganisationInput>) => request<Organisation>('PATCH', `/organisations/${id}`, { json: patch }),
  },
  profiles: {
    list: () => request<ResponseOf<'/api/v1/profiles', 'get'>>('GET', '/profiles'),
    get: (id: string) => request<Record<string, unknown>>('GET', `/profiles/${encodeURIComponent(id)}`),
    placeCategories: () => request<{ items: PlaceCategory[] }>('GET', '/place-categories'),
  },
  reports: {
    coverage: () => request<CoverageReport>('GET', '/reports/coverage'),
  },
};
