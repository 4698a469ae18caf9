// SIP digest authentication (RFC 3261 §22.4 → RFC 2617 §3.2): MD5, with and without qop=auth.
// The digest's HA2 is computed from the Authorization `uri` parameter, not the Request-URI:
// devices and SIPp put their own idea of the URI there (often `sip:<platform ip:port>`), and
// RFC 2617 §3.2.2.5's "same resource" test fails on real GB/T 28181 devices. The signed nonce
// (a timestamp and an HMAC) binds a response to this server and bounds its age.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { digestResponse, parseChallenges, type DigestInput } from '../rtsp/auth.js';

export { ClientAuth, parseChallenges, digestResponse } from '../rtsp/auth.js';

export interface DigestServerOptions {
  realm: string;
  /** Offer qop="auth" in challenges (default true, as WVP does); answers without qop still pass. */
  qop?: boolean;
  nonceLifetimeMs?: number;
  now?: () => number;
}

export type DigestVerdict =
  | { ok: true; username: string }
  /** No credentials, or for another realm: answer 401 with a challenge. */
  | { ok: false; reason: 'missing' }
  /** The nonce is old or not ours (a restart): 401 with stale=true, the device retries. */
  | { ok: false; reason: 'stale'; username: string }
  /** A well-formed answer with the wrong digest or an unknown user: 403 (GB/T 28181 practice). */
  | { ok: false; reason: 'wrong'; username: string };

export class DigestServer {
  private readonly key = randomBytes(32);
  private readonly lifetime: number;
  private readonly now: () => number;

  constructor(private readonly options: DigestServerOptions) {
    this.lifetime = options.nonceLifetimeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Signatures of recent timestamps: a nonce's timestamp is in milliseconds, so a burst of devices
   * shares a few, and each device's challenge and answer would sign the same one again.
   */
  private readonly signed = new Map<string, string>();

  private sign(ts: string): string {
    let sig = this.signed.get(ts);
    if (sig === undefined) {
      sig = createHmac('sha256', this.key).update(ts).digest('hex').slice(0, 16);
      if (this.signed.size >= 256) this.signed.clear();
      this.signed.set(ts, sig);
    }
    return sig;
  }

  /** The WWW-Authenticate value for a 401. */
  challenge(stale = false): string {
    const ts = this.now().toString(16);
    const nonce = ts + this.sign(ts);
    let v = `Digest realm="${this.options.realm}", nonce="${nonce}", algorithm=MD5`;
    if (this.options.qop ?? true) v += ', qop="auth"';
    if (stale) v += ', stale=true';
    return v;
  }

  private nonceFresh(nonce: string): boolean {
    if (nonce.length < 17) return false;
    const ts = nonce.slice(0, -16);
    if (!safeEqual(nonce.slice(-16), this.sign(ts))) return false;
    const age = this.now() - Number.parseInt(ts, 16);
    return age >= 0 && age <= this.lifetime;
  }

  /** Checks an Authorization value; `password` is undefined for a user we do not know. */
  verify(authorization: string | undefined, method: string, password: (username: string) => string | undefined): DigestVerdict {
    if (!authorization) return { ok: false, reason: 'missing' };
    const [c] = parseChallenges([authorization]);
    if (!c || c.scheme !== 'digest') return { ok: false, reason: 'missing' };
    const p = c.params;
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (!username || p.get('realm') !== this.options.realm) return { ok: false, reason: 'missing' };
    if (!nonce || !this.nonceFresh(nonce)) return { ok: false, reason: 'stale', username };
    const algorithm = p.get('algorithm') ?? 'MD5';
    if (!uri || !response || algorithm.toUpperCase() !== 'MD5') return { ok: false, reason: 'wrong', username };
    const secret = password(username);
    if (secret === undefined) return { ok: false, reason: 'wrong', username };
    const input: DigestInput = { username, password: secret, realm: this.options.realm, nonce, method, uri };
    const qop = p.get('qop');
    if (qop) {
      if (qop.toLowerCase() !== 'auth') return { ok: false, reason: 'wrong', username };
      input.qop = 'auth';
      input.nc = p.get('nc') ?? '';
      input.cnonce = p.get('cnonce') ?? '';
    }
    return safeEqual(response.toLowerCase(), digestResponse(input)) ? { ok: true, username } : { ok: false, reason: 'wrong', username };
  }
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
