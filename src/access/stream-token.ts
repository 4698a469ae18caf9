// Media URLs carry a short-lived token: HMAC-SHA256 over camera, kind, time range, the session
// (or API token) it was issued to and an expiry. A token opens one stream once; a replay is refused.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';

/** `release`: a masked file made for public release (its camera and range), never the original. */
export type StreamKind = 'live' | 'playback' | 'release';

export interface StreamClaims {
  cameraId: number;
  kind: StreamKind;
  /** Playback range, epoch ms; null for live. */
  from: number | null;
  to: number | null;
  /** 's:<session id>' or 't:<api token id>': what revoking closes the stream. */
  holder: string;
  userId: number;
  /** Expiry, epoch ms. */
  exp: number;
  /** Unique id, so each token is used once. */
  jti: string;
  /** Present on a playback token issued for a device's own recording (GB/T 28181): it opens that and nothing else. */
  source?: 'device';
}

export class StreamTokenError extends Error {
  readonly code = 'STREAM_TOKEN_REJECTED';
  constructor(readonly reason: 'malformed' | 'signature' | 'expired' | 'camera' | 'kind' | 'source' | 'replayed' | 'revoked', message: string) {
    super(message);
  }
}

const MAX_TOKEN_LENGTH = 1024;
const MAX_REMEMBERED = 200_000;

export class StreamTokenSigner {
  /** Token ids already used, with their expiry: forgotten once the token could not be used anyway. */
  private readonly used = new Map<string, number>();

  constructor(
    private readonly key: Buffer,
    private readonly clock: Clock,
    readonly ttlMs = 60_000,
  ) {}

  issue(c: Omit<StreamClaims, 'exp' | 'jti'>): { token: string; claims: StreamClaims } {
    const claims: StreamClaims = { ...c, exp: this.clock.now() + this.ttlMs, jti: randomBytes(12).toString('base64url') };
    const fields: unknown[] = [claims.cameraId, claims.kind, claims.from, claims.to, claims.holder, claims.userId, claims.exp, claims.jti];
    if (claims.source === 'device') fields.push('device');
    const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
    return { token: `${body}.${this.mac(body)}`, claims };
  }

  /**
   * Checks and consumes a token for one stream of `expect.cameraId` and `expect.kind`. A token
   * issued for a device's recording opens only a device playback, and a device playback needs one
   * (`expect.source: 'device'`): the use registered at issue names the footage's source.
   */
  verify(token: string, expect: { cameraId: number; kind: StreamKind; source?: 'device' }): StreamClaims {
    const claims = this.read(token);
    const now = this.clock.now();
    if (claims.exp <= now) throw new StreamTokenError('expired', 'the token has expired');
    if (claims.cameraId !== expect.cameraId) throw new StreamTokenError('camera', `the token is for camera ${claims.cameraId}, not ${expect.cameraId}`);
    if (claims.kind !== expect.kind) throw new StreamTokenError('kind', `the token is for ${claims.kind}, not ${expect.kind}`);
    if (expect.source === 'device' && claims.source !== 'device') throw new StreamTokenError('source', "the token is for this platform's recording, not the device's own recording: ask for a playback token with source device");
    if (expect.source !== 'device' && claims.source === 'device') throw new StreamTokenError('source', "the token is for the device's own recording, not this platform's recording");
    this.prune(now);
    if (this.used.has(claims.jti)) throw new StreamTokenError('replayed', 'the token was already used');
    if (this.used.size >= MAX_REMEMBERED) throw new StreamTokenError('replayed', 'too many streams are opening; try again shortly');
    this.used.set(claims.jti, claims.exp);
    return claims;
  }

  /** Reads a token's claims after checking the signature, without consuming it. */
  read(token: string): StreamClaims {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new StreamTokenError('malformed', 'not a stream token');
    const dot = token.indexOf('.');
    if (dot <= 0) throw new StreamTokenError('malformed', 'not a stream token');
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw new StreamTokenError('signature', 'the signature does not match');
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new StreamTokenError('malformed', 'not a stream token');
    }
    if (!Array.isArray(v) || (v.length !== 8 && !(v.length === 9 && v[8] === 'device'))) throw new StreamTokenError('malformed', 'not a stream token');
    const [cameraId, kind, from, to, holder, userId, exp, jti, source] = v as unknown[];
    if (typeof cameraId !== 'number' || (kind !== 'live' && kind !== 'playback' && kind !== 'release') || typeof holder !== 'string' || typeof userId !== 'number' || typeof exp !== 'number' || typeof jti !== 'string') {
      throw new StreamTokenError('malformed', 'not a stream token');
    }
    return { cameraId, kind, from: typeof from === 'number' ? from : null, to: typeof to === 'number' ? to : null, holder, userId, exp, jti, ...(source === 'device' ? { source: 'device' as const } : {}) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`vigil-stream-v1.${body}`).digest('base64url');
  }

  private prune(now: number) {
    for (const [jti, exp] of this.used) if (exp <= now) this.used.delete(jti);
  }
}
