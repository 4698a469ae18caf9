// Security headers on every response (issue 14, item 9): a strict Content-Security-Policy,
// no framing, no MIME sniffing, no referrer, and HSTS when the request came over TLS.
//
// The console's CSP allows scripts only from our own origin. Ant Design writes its styles at run
// time (CSS-in-JS) into <style> elements: those carry a nonce minted for each page load (see
// console.ts), so style-src needs neither 'unsafe-inline' nor hashes (the generated CSS depends on
// theme tokens and components on screen, so hashes cannot be known in advance). hls.js plays
// through Media Source Extensions (blob: media URLs); diagnostics snapshots are blob: images.
// WebRTC media is not governed by CSP; its signalling goes to our own origin (connect-src).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** The nonce this response's page gives its <style> elements, when it is the console's page. */
    cspNonce: string | null;
  }
}

/** The policy of the console (and of every response that is not the API docs page). */
export function consolePolicy(nonce: string | null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The Swagger UI page: its own scripts only, but its React components set inline styles and its
 * stylesheet draws icons from data: URLs. The page holds no footage and no register.
 */
export const DOCS_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.decorateReply('cspNonce', null);
  app.addHook('onSend', async (req, reply: FastifyReply, payload) => {
    setSecurityHeaders(req, reply);
    return payload;
  });
}

/** The headers themselves; also called where a reply bypasses the hooks (the router's own errors). */
export function setSecurityHeaders(req: FastifyRequest, reply: FastifyReply): void {
  const docs = req.url === '/docs' || req.url.startsWith('/docs/');
  reply.header('content-security-policy', docs ? DOCS_POLICY : consolePolicy(reply.cspNonce ?? null));
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
}
