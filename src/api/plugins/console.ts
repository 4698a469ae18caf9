// The web console's files. index.html is not served as a static file: each load gets a fresh
// CSP nonce written where the build left its placeholder (web/vite.config.ts html.cspNonce), so
// the styles Ant Design writes at run time are allowed and injected ones are not.
// The build's files under assets/ carry a hash of their content in their name, so a browser may
// keep them a year without asking again (immutable); the build also writes each one brotli- and
// gzip-compressed beside it (web/precompress.ts), served to a browser that accepts them, so no
// request spends CPU compressing. Anything else is revalidated on every use.
// To a browser that comes with a session, the page names the script files the shell and the page
// asked for will need (web/route-preloads.ts), so they are fetched beside the entry script instead
// of one round of imports after another, with the bundle of the language its cookie names (the
// console's default, Chinese, when none); a visitor without one gets the sign-in page as built.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import '@fastify/cookie';
import { SESSION_COOKIE } from './auth.js';
import { newNonce } from './security-headers.js';

/** The placeholder the console build writes into index.html (keep in step with web/vite.config.ts). */
export const CSP_NONCE_PLACEHOLDER = 'VIGIL_CSP_NONCE';

/** A year, never revalidated: the name changes whenever the content does. */
export const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';

/** Vite names the files it emits under assets/ `<name>-<hash>.<ext>`. */
function isHashedAsset(webRoot: string, path: string): boolean {
  const rel = relative(webRoot, path).split(sep).join('/');
  return /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+(\.(br|gz))?$/.test(rel);
}

/** Written by the console build beside index.html (keep in step with web/route-preloads.ts). */
export const ROUTE_PRELOADS_FILE = 'route-preloads.json';

type RoutePreloads = Record<string, string[]>;

/** Set by the console when a language is chosen or the page starts (keep in step with web/src/i18n/index.ts). */
export const LANGUAGE_COOKIE = 'vigil_language';

/** The console's languages; the first is its default. */
const LANGUAGES = ['zh', 'en'] as const;

/** The language whose bundle a page load will fetch: the cookie's if it is one of the console's, else the default. */
export function languageOf(cookie: string | undefined): (typeof LANGUAGES)[number] {
  return LANGUAGES.find((l) => l === cookie) ?? LANGUAGES[0];
}

function readRoutePreloads(webRoot: string): RoutePreloads {
  const file = join(webRoot, ROUTE_PRELOADS_FILE);
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const out: RoutePreloads = {};
  if (!parsed || typeof parsed !== 'object') return out;
  for (const [path, files] of Object.entries(parsed)) {
    // Only the build's own asset names go into the page.
    if (Array.isArray(files)) out[path] = files.filter((f): f is string => typeof f === 'string' && /^assets\/[\w.-]+\.js$/.test(f));
  }
  return out;
}

/**
 * The files to preload for a page path: its menu entry's (the longest prefix that is one), else
 * the shell's, then the language's (web/route-preloads.ts writes them under `lang:<language>`).
 */
export function preloadsFor(preloads: RoutePreloads, path: string, language: string): string[] {
  let best = '';
  for (const p of Object.keys(preloads)) if (p.startsWith('/') && p !== '/' && p.length > best.length && (path === p || path.startsWith(`${p}/`))) best = p;
  return [...new Set([...(preloads[best || '/'] ?? []), ...(preloads[`lang:${language}`] ?? [])])];
}


export function consolePlugin(webRoot: string) {
  return async (app: FastifyInstance) => {
    const index = readFileSync(join(webRoot, 'index.html'), 'utf8');
    const preloads = readRoutePreloads(webRoot);
    // Each path's links, written once: the page itself only gets its nonce per load.
    const withLinks = new Map<string, string>();
    const pageFor = (path: string, language: string) => {
      const files = preloadsFor(preloads, path, language);
      const key = files.join(',');
      let page = withLinks.get(key);
      if (page === undefined) {
        const links = files.map((f) => `<link rel="modulepreload" crossorigin href="/${f}" nonce="${CSP_NONCE_PLACEHOLDER}">`).join('');
        page = files.length ? index.replace('</head>', `${links}</head>`) : index;
        withLinks.set(key, page);
      }
      return page;
    };
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: false,
      globIgnore: ['index.html', ROUTE_PRELOADS_FILE, '**/*.br', '**/*.gz'],
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', isHashedAsset(webRoot, path) ? HASHED_ASSET_CACHE : 'no-cache');
        // One URL, several encodings: a shared cache must key on what the browser accepts.
        res.setHeader('vary', 'accept-encoding');
      },
    });
    // The console is a single-page app: unknown non-API paths get its index.
    app.get('/*', (req, reply) => {
      if (req.url.startsWith('/api/')) return reply.callNotFound();
      const nonce = newNonce();
      reply.cspNonce = nonce;
      const page = req.cookies?.[SESSION_COOKIE] ? pageFor(req.url.split('?')[0]!, languageOf(req.cookies[LANGUAGE_COOKIE])) : index;
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
    });
  };
}
