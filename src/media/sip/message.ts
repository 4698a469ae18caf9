// SIP messages, RFC 3261 §7 (start lines, headers, bodies), §7.3.3 (compact header forms),
// §20 (header names are case-insensitive). Serialisation refuses CR/LF inside a value.
import { SipError } from './errors.js';

/** RFC 3261 §7.3.3 compact forms, plus the RFC 3265/3515/3891 ones devices use. */
const COMPACT = new Map<string, string>([
  ['i', 'call-id'],
  ['m', 'contact'],
  ['e', 'content-encoding'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['f', 'from'],
  ['s', 'subject'],
  ['k', 'supported'],
  ['t', 'to'],
  ['v', 'via'],
  ['o', 'event'],
  ['u', 'allow-events'],
  ['r', 'refer-to'],
]);

/**
 * Names already folded, as written: every message names the same dozen headers, each looked up
 * several times (a thousand devices registering spent more here than in parsing the lines). A
 * Map, so a header called `constructor` is only a name; bounded, so odd names cannot grow it.
 */
const FOLDED = new Map<string, string>();
const FOLDED_MAX = 512;

/** The full lower-case name of a header given in any spelling or compact form. */
export function canonicalName(name: string): string {
  const known = FOLDED.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  const folded = COMPACT.get(lower) ?? lower;
  if (FOLDED.size < FOLDED_MAX) FOLDED.set(name, folded);
  return folded;
}

/** Header fields with case-insensitive names (compact forms folded) that keep their order. */
export class SipHeaders {
  private readonly map = new Map<string, { name: string; values: string[] }>();

  constructor(init?: Record<string, string | number | undefined> | Iterable<[string, string]>) {
    if (!init) return;
    const entries = Symbol.iterator in init ? (init as Iterable<[string, string]>) : Object.entries(init);
    for (const [k, v] of entries) if (v !== undefined) this.append(k, String(v));
  }

  get(name: string): string | undefined {
    return this.map.get(canonicalName(name))?.values[0];
  }

  getAll(name: string): string[] {
    return this.map.get(canonicalName(name))?.values.slice() ?? [];
  }

  has(name: string): boolean {
    return this.map.has(canonicalName(name));
  }

  set(name: string, value: string | number): this {
    this.map.set(canonicalName(name), { name, values: [String(value)] });
    return this;
  }

  append(name: string, value: string): this {
    const key = canonicalName(name);
    const e = this.map.get(key);
    if (e) e.values.push(value);
    else this.map.set(key, { name, values: [value] });
    return this;
  }

  /** Puts a value first (a proxy's or a retry's new Via). */
  prepend(name: string, value: string): this {
    const key = canonicalName(name);
    const e = this.map.get(key);
    if (e) e.values.unshift(value);
    else this.map.set(key, { name, values: [value] });
    return this;
  }

  delete(name: string): void {
    this.map.delete(canonicalName(name));
  }

  clone(): SipHeaders {
    return new SipHeaders(this.entries());
  }

  *entries(): IterableIterator<[string, string]> {
    for (const { name, values } of this.map.values()) for (const v of values) yield [name, v];
  }

  /** Every field in order, without a generator: what serialising a message walks. */
  forEachField(fn: (name: string, value: string) => void): void {
    for (const { name, values } of this.map.values()) for (const v of values) fn(name, v);
  }

  get count(): number {
    let n = 0;
    for (const { values } of this.map.values()) n += values.length;
    return n;
  }
}

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export const REASON: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  513: 'Message Too Large',
};

function clean(text: string): string {
  if (/[\r\n\0]/.test(text)) throw new SipError('SIP_MALFORMED', 'header name or value contains a line break');
  return text;
}

function serialize(startLine: string, headers: SipHeaders, body: Buffer): Buffer {
  let head = clean(startLine) + '\r\n';
  headers.forEachField((name, value) => {
    if (canonicalName(name) !== 'content-length') head += `${clean(name)}: ${clean(value)}\r\n`;
  });
  // Always sent: over TCP it is the framing (§18.3), and the length counts encoded bytes.
  head += `Content-Length: ${body.length}\r\n\r\n`;
  return body.length > 0 ? Buffer.concat([Buffer.from(head, 'utf8'), body]) : Buffer.from(head, 'utf8');
}

export function serializeMessage(m: SipMessage): Buffer {
  if (m.kind === 'request') {
    if (!/^[A-Za-z]{1,32}$/.test(m.method) || !m.uri || /\s/.test(m.uri)) {
      throw new SipError('SIP_MALFORMED', 'request method or URI is not serialisable');
    }
    return serialize(`${m.method} ${m.uri} SIP/2.0`, m.headers, m.body);
  }
  if (!Number.isInteger(m.status) || m.status < 100 || m.status > 699) throw new SipError('SIP_MALFORMED', `status ${m.status} is not a SIP status`);
  return serialize(`SIP/2.0 ${m.status} ${m.reason || REASON[m.status] || 'Unknown'}`, m.headers, m.body);
}
