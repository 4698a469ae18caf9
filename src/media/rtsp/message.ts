// RTSP messages, RFC 2326 §6 (request), §7 (response), §4.1 (header names are case-insensitive).
import { RtspError } from './errors.js';

/** Header fields with case-insensitive names that keep the spelling they were given. */
export class RtspHeaders {
  private readonly map = new Map<string, { name: string; values: string[] }>();

  constructor(init?: Record<string, string | number | undefined> | Iterable<[string, string]>) {
    if (!init) return;
    const entries = Symbol.iterator in init ? (init as Iterable<[string, string]>) : Object.entries(init);
    for (const [k, v] of entries) if (v !== undefined) this.append(k, String(v));
  }

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.values[0];
  }

  getAll(name: string): string[] {
    return this.map.get(name.toLowerCase())?.values.slice() ?? [];
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  set(name: string, value: string | number): this {
    this.map.set(name.toLowerCase(), { name, values: [String(value)] });
    return this;
  }

  append(name: string, value: string): this {
    const e = this.map.get(name.toLowerCase());
    if (e) e.values.push(value);
    else this.map.set(name.toLowerCase(), { name, values: [value] });
    return this;
  }

  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }

  *entries(): IterableIterator<[string, string]> {
    for (const { name, values } of this.map.values()) for (const v of values) yield [name, v];
  }

  get size(): number {
    return this.map.size;
  }
}

export interface RtspRequest {
  method: string;
  uri: string;
  version: string;
  headers: RtspHeaders;
  body: Buffer;
}

export interface RtspResponse {
  version: string;
  statusCode: number;
  reason: string;
  headers: RtspHeaders;
  body: Buffer;
}

export type RtspMessage = ({ kind: 'request' } & RtspRequest) | ({ kind: 'response' } & RtspResponse);

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  451: 'Parameter Not Understood',
  453: 'Not Enough Bandwidth',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
};

// Header values come from callers and peers; a CR or LF in one would inject new header lines.
function clean(text: string): string {
  if (/[\r\n]/.test(text)) throw new RtspError('RTSP_MALFORMED', 'header name or value contains a line break');
  return text;
}

function serializeHead(startLine: string, headers: RtspHeaders, body: Buffer): Buffer {
  let head = clean(startLine) + '\r\n';
  for (const [name, value] of headers.entries()) {
    if (name.toLowerCase() === 'content-length') continue;
    head += `${clean(name)}: ${clean(value)}\r\n`;
  }
  if (body.length > 0) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body.length > 0 ? Buffer.concat([Buffer.from(head, 'utf8'), body]) : Buffer.from(head, 'utf8');
}

export function serializeRequest(req: Pick<RtspRequest, 'method' | 'uri' | 'headers'> & { body?: Buffer }): Buffer {
  if (!/^[A-Z_]{1,32}$/.test(req.method) || /\s/.test(req.uri)) {
    throw new RtspError('RTSP_MALFORMED', 'request method or URI is not serialisable');
  }
  return serializeHead(`${req.method} ${req.uri} RTSP/1.0`, req.headers, req.body ?? Buffer.alloc(0));
}

export function serializeResponse(res: Pick<RtspResponse, 'statusCode' | 'headers'> & { reason?: string; body?: Buffer }): Buffer {
  const reason = res.reason ?? STATUS_TEXT[res.statusCode] ?? 'Unknown';
  return serializeHead(`RTSP/1.0 ${res.statusCode} ${reason}`, res.headers, res.body ?? Buffer.alloc(0));
}

/** The 4-byte header of an interleaved frame, RFC 2326 §10.12. */
export function interleavedHeader(channel: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h[0] = 0x24;
  h[1] = channel;
  h.writeUInt16BE(length, 2);
  return h;
}
