// RTSP authentication (RFC 2326 §D.1 borrows HTTP's): Basic (RFC 7617) and Digest (RFC 2617
// §3.2.1/§3.2.2, RFC 7616 §3.4 for SHA-256) with and without qop=auth.
import { createHmac, hash as oneShotHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RtspError } from './errors.js';
import type { RtspRequest } from './message.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface AuthChallenge {
  scheme: string;
  params: Map<string, string>;
}

/** Splits WWW-Authenticate / Authorization values into challenges (several may share a line). */
export function parseChallenges(values: string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: AuthChallenge | undefined;
    const n = Math.min(value.length, 8192);
    while (i < n) {
      while (i < n && /[\s,]/.test(value[i]!)) i++;
      const tokenStart = i;
      while (i < n && /[^\s,=]/.test(value[i]!)) i++;
      const token = value.slice(tokenStart, i);
      if (!token) break;
      let j = i;
      while (j < n && value[j] === ' ') j++;
      if (value[j] !== '=') {
        current = { scheme: token.toLowerCase(), params: new Map() };
        out.push(current);
        continue;
      }
      i = j + 1;
      while (i < n && value[i] === ' ') i++;
      let v = '';
      if (value[i] === '"') {
        i++;
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < n) i++;
          v += value[i];
          i++;
        }
        i++;
      } else {
        const s = i;
        while (i < n && value[i] !== ',') i++;
        v = value.slice(s, i).trim();
      }
      current?.params.set(token.toLowerCase(), v);
    }
  }
  return out;
}

function hash(algorithm: string, text: string): string {
  const alg = algorithm.toUpperCase().replace(/-SESS$/, '');
  // One-shot: no Hash object a call (about four times cheaper; a digest is three or four of these).
  return oneShotHash(alg === 'SHA-256' ? 'sha256' : 'md5', text, 'hex');
}

export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  algorithm?: string;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** The request-digest of RFC 2617 §3.2.2.1 (RFC 7616 §3.4.1 when algorithm is SHA-256). */
export function digestResponse(d: DigestInput): string {
  const algorithm = d.algorithm ?? 'MD5';
  let ha1 = hash(algorithm, `${d.username}:${d.realm}:${d.password}`);
  if (/-sess$/i.test(algorithm)) ha1 = hash(algorithm, `${ha1}:${d.nonce}:${d.cnonce ?? ''}`);
  const ha2 = hash(algorithm, `${d.method}:${d.uri}`);
  if (d.qop) return hash(algorithm, `${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
  return hash(algorithm, `${ha1}:${d.nonce}:${ha2}`);
}

export function basicAuthorization(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
}

function quote(s: string): string {
  return '"' + s.replace(/["\\]/g, '\\$&') + '"';
}

/** Client-side state: picks the strongest challenge offered and signs each later request. */
export class ClientAuth {
  private challenge: AuthChallenge | undefined;
  private nc = 0;

  constructor(private readonly credentials: Credentials) {}

  get active(): boolean {
    return this.challenge !== undefined;
  }

  /** Takes a 401's WWW-Authenticate values; false if no scheme we can answer was offered. */
  accept(values: string[]): boolean {
    const all = parseChallenges(values);
    const digest = all.find((c) => c.scheme === 'digest' && c.params.has('nonce') && /^(md5|sha-256)(-sess)?$/i.test(c.params.get('algorithm') ?? 'MD5'));
    const chosen = digest ?? all.find((c) => c.scheme === 'basic');
    if (!chosen) return false;
    this.challenge = chosen;
    this.nc = 0;
    return true;
  }

  /** The Authorization value for one request, or undefined before any challenge. */
  authorize(method: string, uri: string): string | undefined {
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') return basicAuthorization(this.credentials);
    const realm = ch.params.get('realm') ?? '';
    const nonce = ch.params.get('nonce') ?? '';
    const algorithm = ch.params.get('algorithm');
    const qops = (ch.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase());
    const input: DigestInput = { ...this.credentials, realm, nonce, method, uri };
    if (algorithm) input.algorithm = algorithm;
    if (qops.includes('auth')) {
      input.qop = 'auth';
      input.nc = (++this.nc).toString(16).padStart(8, '0');
      input.cnonce = randomBytes(8).toString('hex');
    }
    const fields = [
      `username=${quote(this.credentials.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `uri=${quote(uri)}`,
      `response=${quote(digestResponse(input))}`,
    ];
    if (algorithm) fields.push(`algorithm=${algorithm}`);
    const opaque = ch.params.get('opaque');
    if (opaque !== undefined) fields.push(`opaque=${quote(opaque)}`);
    if (input.qop) fields.push(`qop=auth`, `nc=${input.nc}`, `cnonce=${quote(input.cnonce!)}`);
    return 'Digest ' + fields.join(', ');
  }
}

/** Splits userinfo off an rtsp:// URL (percent-decoded), so it never goes on the wire in the URI. */
export function credentialsFromUrl(raw: string): { url: URL; credentials?: Credentials } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RtspError('RTSP_URL', 'not a valid URL');
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') throw new RtspError('RTSP_URL', `unsupported scheme ${url.protocol}`);
  if (!url.hostname) throw new RtspError('RTSP_URL', 'URL has no host');
  const hasUser = url.username !== '' || url.password !== '';
  let credentials: Credentials | undefined;
  if (hasUser) {
    try {
      credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    } catch {
      throw new RtspError('RTSP_URL', 'URL credentials are not valid percent-encoding');
    }
  }
  url.username = '';
  url.password = '';
  return credentials ? { url, credentials } : { url };
}

export interface ServerAuthOptions {
  realm: string;
  /** Password of a user, or undefined if there is no such user. */
  password(username: string): string | undefined | Promise<string | undefined>;
  /** Offer Basic too (default false: only Digest, since Basic sends the password in clear). */
  allowBasic?: boolean;
  /** Digest nonce lifetime (default 5 minutes). */
  nonceLifetimeMs?: number;
}

export interface ServerAuth {
  authenticate(req: RtspRequest): Promise<boolean>;
  /** WWW-Authenticate values for a 401. */
  challenges(): string[];
}

/** Server-side Basic/Digest check with stateless nonces (a timestamp signed with a per-server key). */
export function createServerAuth(options: ServerAuthOptions): ServerAuth {
  const key = randomBytes(32);
  const lifetime = options.nonceLifetimeMs ?? 5 * 60_000;
  const sign = (ts: string) => createHmac('sha256', key).update(ts).digest('base64url').slice(0, 22);
  const makeNonce = () => {
    const ts = Date.now().toString(36);
    return `${ts}.${sign(ts)}`;
  };
  const nonceValid = (nonce: string) => {
    const [ts, sig] = nonce.split('.');
    if (!ts || !sig || !safeEqual(sig, sign(ts))) return false;
    const age = Date.now() - Number.parseInt(ts, 36);
    return age >= 0 && age <= lifetime;
  };
  return {
    challenges() {
      const list = [`Digest realm=${quote(options.realm)}, nonce=${quote(makeNonce())}, algorithm=MD5, qop="auth"`];
      if (options.allowBasic) list.push(`Basic realm=${quote(options.realm)}`);
      return list;
    },
    async authenticate(req) {
      const header = req.headers.get('authorization');
      if (!header) return false;
      const [c] = parseChallenges([header]);
      if (!c) return false;
      if (c.scheme === 'basic' && options.allowBasic) {
        const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) return false;
        const expected = await options.password(decoded.slice(0, colon));
        return expected !== undefined && safeEqual(decoded.slice(colon + 1), expected);
      }
      if (c.scheme !== 'digest') return false;
      const p = c.params;
      const username = p.get('username');
      const nonce = p.get('nonce');
      const uri = p.get('uri');
      const response = p.get('response');
      if (!username || !nonce || !uri || !response || p.get('realm') !== options.realm) return false;
      if (!nonceValid(nonce) || !sameResource(uri, req.uri)) return false;
      const password = await options.password(username);
      if (password === undefined) return false;
      const qop = p.get('qop');
      const input: DigestInput = { username, password, realm: options.realm, nonce, method: req.method, uri };
      const algorithm = p.get('algorithm');
      if (algorithm) input.algorithm = algorithm;
      if (qop) {
        if (qop !== 'auth') return false;
        input.qop = 'auth';
        input.nc = p.get('nc') ?? '';
        input.cnonce = p.get('cnonce') ?? '';
      }
      return safeEqual(response.toLowerCase(), digestResponse(input));
    },
  };
}

// The digest's uri must name the requested resource (RFC 2617 §3.2.2.5); clients differ on
// whether they send the absolute URL or only its path.
function sameResource(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  const path = (u: string) => {
    try {
      return new URL(u, 'rtsp://x').pathname.replace(/\/$/, '');
    } catch {
      return u;
    }
  };
  return path(digestUri) === path(requestUri);
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
