// Opaque secrets for sessions and API tokens: random, shown to their holder once, stored hashed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_PREFIX = 'vigil_';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The CSRF token of a session: derived, so it needs no storage and dies with the session. */
export function csrfToken(key: Buffer, sessionSecret: string): string {
  return createHmac('sha256', key).update(`vigil-csrf-v1.${sessionSecret}`).digest('base64url');
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
