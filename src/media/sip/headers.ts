// Structured SIP header values: Via (RFC 3261 §20.42, §18.2.1 received; RFC 3581 rport),
// name-addr for From/To/Contact (§20.10, §20.20, §20.39), CSeq (§20.16), generic parameters.
import { randomBytes } from 'node:crypto';
import { SipError } from './errors.js';

/** RFC 3261 §8.1.1.7: branches start with this cookie so transactions can be matched on them. */
export const BRANCH_COOKIE = 'z9hG4bK';

/**
 * Random bytes as hex for branches, tags and Call-IDs, taken from a pool filled 4 KiB at a time:
 * the same CSPRNG, but one call into it per few hundred identifiers instead of one each (three
 * or four per message, a visible share of a registration burst's CPU).
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;
export function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    poolAt = 0;
  }
  const s = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return s;
}

export function newBranch(): string {
  return BRANCH_COOKIE + randomHex(8);
}

export function newTag(): string {
  return randomHex(6);
}

/** Splits `;a=b;c` into a map (lower-case names, empty string for a flag). */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p.toLowerCase(), '');
    else params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return params;
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Map<string, string>;
}

/** Parses the first Via of a header value (several may share a value, comma-separated). */
export function parseVia(value: string): Via {
  const first = value.split(',')[0]!.trim();
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^\s;]+)\s*(;.*)?$/.exec(first);
  if (!m) throw new SipError('SIP_MALFORMED', 'Via is not "SIP/2.0/<transport> host[:port]"');
  const hp = splitHostPort(m[2]!);
  return { transport: m[1]!.toUpperCase(), host: hp.host, ...(hp.port !== undefined ? { port: hp.port } : {}), params: parseParams(m[3] ?? '') };
}

export function formatVia(v: Via): string {
  let s = `SIP/2.0/${v.transport} ${v.host.includes(':') ? `[${v.host}]` : v.host}${v.port ? ':' + v.port : ''}`;
  for (const [k, val] of v.params) s += val === '' ? `;${k}` : `;${k}=${val}`;
  return s;
}

export function splitHostPort(text: string): { host: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const m = v6 ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new SipError('SIP_MALFORMED', `"${text.slice(0, 64)}" is not host[:port]`);
  const port = m[2] !== undefined ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new SipError('SIP_MALFORMED', `port ${port} is out of range`);
  return { host: m[1]!, ...(port !== undefined ? { port } : {}) };
}

export interface NameAddr {
  display?: string;
  uri: string;
  params: Map<string, string>;
}

/** From, To, Contact: `"name" <sip:user@host>;tag=x` or the bare `sip:user@host;tag=x`. */
export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) throw new SipError('SIP_MALFORMED', 'name-addr has "<" without ">"');
    const display = v.slice(0, lt).trim().replace(/^"(.*)"$/, '$1');
    return { ...(display ? { display } : {}), uri: v.slice(lt + 1, gt).trim(), params: parseParams(v.slice(gt + 1)) };
  }
  const semi = v.indexOf(';');
  const uri = semi < 0 ? v : v.slice(0, semi);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) throw new SipError('SIP_MALFORMED', 'address has no URI');
  return { uri, params: parseParams(semi < 0 ? '' : v.slice(semi)) };
}

export function formatNameAddr(a: NameAddr): string {
  let s = `${a.display ? `"${a.display}" ` : ''}<${a.uri}>`;
  for (const [k, val] of a.params) s += val === '' ? `;${k}` : `;${k}=${val}`;
  return s;
}

export interface SipUri {
  user?: string;
  host: string;
  port?: number;
}

/** The user, host and port of a sip: URI (parameters and headers dropped). */
export function parseSipUri(uri: string): SipUri {
  const m = /^sips?:(?:([^@;?]+)@)?([^;?]+)/i.exec(uri.trim());
  if (!m) throw new SipError('SIP_MALFORMED', `"${uri.slice(0, 64)}" is not a sip: URI`);
  const hp = splitHostPort(m[2]!);
  return { ...(m[1] ? { user: m[1].split(':')[0]! } : {}), ...hp };
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq {
  const m = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(value.trim());
  if (!m || Number(m[1]) > 0xffffffff) throw new SipError('SIP_MALFORMED', 'CSeq is not "<number> <METHOD>"');
  return { seq: Number(m[1]), method: m[2]!.toUpperCase() };
}
