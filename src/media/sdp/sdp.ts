// Session Description Protocol, RFC 8866 (which obsoletes RFC 4566): §5 line grammar, §5.2 o=,
// §5.3 s=, §5.7 c=, §5.8 b=, §5.9 t=, §5.13 a=, §5.14 m=; §6.6 rtpmap, §6.15 fmtp, §6.4 framerate
// with direction attributes of §6.7; RFC 2326 C.1 for a=control and a=range.
import { SdpError } from './errors.js';
import { parseRange, type TimeRange } from './range.js';

export interface SdpAttribute {
  name: string;
  value?: string;
}

export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

export interface SdpConnection {
  netType: string;
  addrType: string;
  address: string;
}

export interface SdpBandwidth {
  type: string;
  kbps: number;
}

export interface SdpMedia {
  type: string;
  port: number;
  portCount?: number;
  protocol: string;
  /** Format list as written (payload type numbers for RTP/AVP). */
  formats: string[];
  title?: string;
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  attributes: SdpAttribute[];
}

export interface SessionDescription {
  version: number;
  origin?: SdpOrigin;
  sessionName: string;
  information?: string;
  uri?: string;
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  timing?: { start: string; stop: string };
  attributes: SdpAttribute[];
  media: SdpMedia[];
}

export interface RtpMap {
  payloadType: number;
  /** Encoding name as written; compare case-insensitively. */
  encoding: string;
  clockRate: number;
  channels?: number;
}

// Bounds well above any camera's description; the RTSP layer caps the body before this anyway.
export const SDP_MAX_BYTES = 64 * 1024;
const MAX_MEDIA = 64;
const MAX_ATTRIBUTES = 512;

export function parseSdp(input: string | Buffer): SessionDescription {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.length > SDP_MAX_BYTES) throw new SdpError('SDP_TOO_LARGE', `SDP of ${text.length} bytes exceeds ${SDP_MAX_BYTES}`);
  const desc: SessionDescription = { version: 0, sessionName: '', bandwidths: [], attributes: [], media: [] };
  let media: SdpMedia | undefined;
  let sawVersion = false;
  let attributeCount = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    // §5 asks for "<type>=<value>"; cameras add blank lines and stray spaces, which carry nothing.
    if (line.trim() === '') continue;
    if (line.length < 2 || line[1] !== '=') continue;
    const type = line[0]!;
    const value = line.slice(2);
    switch (type) {
      case 'v':
        desc.version = Number.parseInt(value, 10) || 0;
        sawVersion = true;
        break;
      case 'o': {
        const f = value.trim().split(/\s+/);
        if (f.length >= 6) {
          desc.origin = { username: f[0]!, sessionId: f[1]!, sessionVersion: f[2]!, netType: f[3]!, addrType: f[4]!, address: f[5]! };
        }
        break;
      }
      case 's':
        if (!media) desc.sessionName = value;
        break;
      case 'i':
        if (media) media.title = value;
        else desc.information = value;
        break;
      case 'u':
        if (!media) desc.uri = value;
        break;
      case 'c': {
        const c = parseConnection(value);
        if (c && media) media.connection = c;
        else if (c) desc.connection = c;
        break;
      }
      case 'b': {
        const colon = value.indexOf(':');
        const kbps = Number.parseInt(value.slice(colon + 1), 10);
        if (colon > 0 && Number.isFinite(kbps)) (media ?? desc).bandwidths.push({ type: value.slice(0, colon), kbps });
        break;
      }
      case 't': {
        const f = value.trim().split(/\s+/);
        if (!media) desc.timing = { start: f[0] ?? '0', stop: f[1] ?? '0' };
        break;
      }
      case 'a': {
        if (++attributeCount > MAX_ATTRIBUTES) throw new SdpError('SDP_TOO_LARGE', `SDP has more than ${MAX_ATTRIBUTES} attributes`);
        const colon = value.indexOf(':');
        const attr: SdpAttribute = colon < 0 ? { name: value.trim() } : { name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() };
        (media ?? desc).attributes.push(attr);
        break;
      }
      case 'm': {
        if (desc.media.length >= MAX_MEDIA) throw new SdpError('SDP_TOO_LARGE', `SDP has more than ${MAX_MEDIA} media sections`);
        media = parseMediaLine(value);
        desc.media.push(media);
        break;
      }
      default:
        // z=, k=, r=, e=, p= and unknown types: nothing a receiver needs.
        break;
    }
  }
  if (!sawVersion && desc.media.length === 0) throw new SdpError('SDP_MALFORMED', 'not a session description (no v= and no m= line)');
  return desc;
}

function parseConnection(value: string): SdpConnection | undefined {
  const f = value.trim().split(/\s+/);
  if (f.length < 3) return undefined;
  return { netType: f[0]!, addrType: f[1]!, address: f[2]! };
}

function parseMediaLine(value: string): SdpMedia {
  const f = value.trim().split(/\s+/);
  if (f.length < 3) throw new SdpError('SDP_MALFORMED', `m= line "${value.slice(0, 80)}" needs media, port and protocol`);
  const [portText, countText] = f[1]!.split('/');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SdpError('SDP_MALFORMED', `m= port "${f[1]!.slice(0, 20)}" is not a port`);
  const media: SdpMedia = { type: f[0]!.toLowerCase(), port, protocol: f[2]!, formats: f.slice(3), bandwidths: [], attributes: [] };
  if (countText !== undefined) {
    const n = Number(countText);
    if (Number.isInteger(n) && n > 0) media.portCount = n;
  }
  return media;
}

export function getAttribute(attrs: SdpAttribute[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const a of attrs) if (a.name.toLowerCase() === lower) return a.value ?? '';
  return undefined;
}

export function getAttributes(attrs: SdpAttribute[], name: string): string[] {
  const lower = name.toLowerCase();
  return attrs.filter((a) => a.name.toLowerCase() === lower).map((a) => a.value ?? '');
}

/** Replaces every attribute of that name by one (or removes them when value is null). */
export function setAttribute(attrs: SdpAttribute[], name: string, value: string | null): void {
  const lower = name.toLowerCase();
  const at = attrs.findIndex((a) => a.name.toLowerCase() === lower);
  for (let i = attrs.length - 1; i >= 0; i--) if (attrs[i]!.name.toLowerCase() === lower) attrs.splice(i, 1);
  if (value !== null) attrs.splice(at < 0 ? attrs.length : at, 0, { name, value });
}

// Static payload types of RFC 3551 §6 that cameras use without an rtpmap line.
const STATIC_RTPMAP: Record<number, Omit<RtpMap, 'payloadType'>> = {
  0: { encoding: 'PCMU', clockRate: 8000, channels: 1 },
  8: { encoding: 'PCMA', clockRate: 8000, channels: 1 },
  14: { encoding: 'MPA', clockRate: 90000 },
  26: { encoding: 'JPEG', clockRate: 90000 },
  32: { encoding: 'MPV', clockRate: 90000 },
  33: { encoding: 'MP2T', clockRate: 90000 },
};

/** The rtpmap of one payload type (RFC 8866 §6.6), or the static one of RFC 3551. */
export function rtpMap(media: SdpMedia, payloadType: number): RtpMap | undefined {
  for (const v of getAttributes(media.attributes, 'rtpmap')) {
    const m = /^(\d{1,3})\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(v);
    if (!m || Number(m[1]) !== payloadType) continue;
    const map: RtpMap = { payloadType, encoding: m[2]!, clockRate: Number(m[3]) };
    if (m[4] !== undefined) map.channels = Number(m[4]);
    return map;
  }
  const s = STATIC_RTPMAP[payloadType];
  return s ? { payloadType, ...s } : undefined;
}

/** fmtp parameters of one payload type (RFC 8866 §6.15), keys lower-cased. */
export function fmtp(media: SdpMedia, payloadType: number): Map<string, string> {
  const params = new Map<string, string>();
  for (const v of getAttributes(media.attributes, 'fmtp')) {
    const m = /^(\d{1,3})\s*(.*)$/s.exec(v);
    if (!m || Number(m[1]) !== payloadType) continue;
    for (const part of m[2]!.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) {
        if (part.trim()) params.set(part.trim().toLowerCase(), '');
        continue;
      }
      params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
    }
  }
  return params;
}

export function sessionRange(desc: SessionDescription): TimeRange | undefined {
  const r = getAttribute(desc.attributes, 'range');
  return r === undefined ? undefined : parseRange(r);
}
