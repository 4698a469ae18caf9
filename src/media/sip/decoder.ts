// Reading SIP messages: one datagram at a time (RFC 3261 §18.3: Content-Length, when present,
// bounds the body; extra bytes are dropped) or a TCP byte stream framed by Content-Length.
// Every buffer is capped, so a hostile peer costs at most the configured limits; bytes that are
// not SIP become a SipError with a code, never another exception.
import { SipError } from './errors.js';
import { SipHeaders, type SipMessage } from './message.js';

export interface SipLimits {
  /** Longest start or header line (default 4 KiB). */
  maxLineBytes: number;
  /** Largest start line + header block (default 16 KiB). */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  /** Largest body (default 256 KiB; a catalog message is a few KiB, lower platforms split theirs). */
  maxBodyBytes: number;
}

export const DEFAULT_SIP_LIMITS: SipLimits = {
  maxLineBytes: 4096,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 64,
  maxBodyBytes: 256 * 1024,
};

const METHOD = /^[A-Za-z]{1,32}$/;

/** Parses the header block (text before the blank line) into a message without its body. */
function parseHead(text: string, limits: SipLimits): SipMessage {
  const rawLines = text.split(/\r?\n/);
  const lines: string[] = [];
  for (const line of rawLines) {
    if (Buffer.byteLength(line) > limits.maxLineBytes) throw new SipError('SIP_LIMIT', `a line is longer than ${limits.maxLineBytes} bytes`);
    // §7.3.1: a line starting with white space continues the previous header.
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 1) lines[lines.length - 1] += ' ' + line.trim();
    else lines.push(line);
  }
  if (lines.length - 1 > limits.maxHeaderCount) throw new SipError('SIP_LIMIT', `more than ${limits.maxHeaderCount} header lines`);
  const start = lines[0]!;
  const headers = new SipHeaders();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipError('SIP_MALFORMED', `header line ${i} has no name`);
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9!%*_+`'~.-]+$/.test(name)) throw new SipError('SIP_MALFORMED', `header line ${i} has an invalid name`);
    headers.append(name, line.slice(colon + 1).trim());
  }
  if (start.startsWith('SIP/')) {
    const m = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(start);
    if (!m) throw new SipError('SIP_MALFORMED', 'response status line is not "SIP/2.0 <code> <reason>"');
    return { kind: 'response', status: Number(m[1]), reason: m[2] ?? '', headers, body: Buffer.alloc(0) };
  }
  const parts = start.split(' ');
  if (parts.length !== 3 || !METHOD.test(parts[0]!) || !parts[1] || parts[2] !== 'SIP/2.0') {
    throw new SipError('SIP_MALFORMED', 'request line is not "<METHOD> <URI> SIP/2.0"');
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(parts[1])) throw new SipError('SIP_MALFORMED', 'request URI has no scheme');
  return { kind: 'request', method: parts[0]!.toUpperCase(), uri: parts[1], headers, body: Buffer.alloc(0) };
}

function contentLength(m: SipMessage, limits: SipLimits): number | undefined {
  const v = m.headers.get('content-length');
  if (v === undefined) return undefined;
  if (!/^\d{1,10}$/.test(v.trim())) throw new SipError('SIP_MALFORMED', 'Content-Length is not a number');
  const n = Number(v.trim());
  if (n > limits.maxBodyBytes) throw new SipError('SIP_LIMIT', `body of ${n} bytes is over the ${limits.maxBodyBytes}-byte cap`);
  return n;
}

function checkRequired(m: SipMessage): void {
  // §8.1.1: the minimum every request and response carries; without them no transaction matches.
  for (const h of ['via', 'call-id', 'cseq', 'from', 'to']) {
    if (!m.headers.get(h)) throw new SipError('SIP_MALFORMED', `the ${h === 'cseq' ? 'CSeq' : h} header is missing`);
  }
}

function headEnd(buf: Buffer, from: number): { at: number; len: number } | undefined {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return { at: i, len: 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { at: i, len: 3 };
  }
  return undefined;
}

function skipBlankLines(buf: Buffer, at: number): number {
  while (at < buf.length && (buf[at] === 0x0d || buf[at] === 0x0a)) at++;
  return at;
}

/** Parses one UDP datagram holding one SIP message. */
export function parseDatagram(datagram: Buffer, limits: Partial<SipLimits> = {}): SipMessage {
  const lim = { ...DEFAULT_SIP_LIMITS, ...limits };
  const start = skipBlankLines(datagram, 0);
  const end = headEnd(datagram, start);
  const headBytes = (end ? end.at : datagram.length) - start;
  if (headBytes > lim.maxHeaderBytes) throw new SipError('SIP_LIMIT', `header block over ${lim.maxHeaderBytes} bytes`);
  if (headBytes <= 0) throw new SipError('SIP_MALFORMED', 'empty datagram');
  const m = parseHead(datagram.subarray(start, end ? end.at : datagram.length).toString('utf8'), lim);
  checkRequired(m);
  const bodyAt = end ? end.at + end.len : datagram.length;
  const available = datagram.length - bodyAt;
  const declared = contentLength(m, lim);
  if (declared !== undefined && declared > available) throw new SipError('SIP_MALFORMED', `Content-Length ${declared} is more than the ${available} bytes received`);
  if (declared === undefined && available > lim.maxBodyBytes) throw new SipError('SIP_LIMIT', `body over ${lim.maxBodyBytes} bytes`);
  m.body = Buffer.from(datagram.subarray(bodyAt, bodyAt + (declared ?? available)));
  return m;
}

/**
 * Incremental decoder for one TCP connection (§18.3: Content-Length frames each message). It
 * ignores CRLF keep-alives between messages (RFC 5626 §3.5.1). After a SipError it stays failed:
 * the stream has lost its framing and the connection must close.
 */
export class SipStreamDecoder {
  private readonly limits: SipLimits;
  private buf: Buffer = Buffer.alloc(0);
  private failed: SipError | undefined;
  /** Where the header-end search resumes, so a slow header is not rescanned from the start. */
  private scanned = 0;

  constructor(
    private readonly onMessage: (m: SipMessage) => void,
    limits: Partial<SipLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SIP_LIMITS, ...limits };
  }

  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      for (;;) {
        const start = skipBlankLines(this.buf, 0);
        if (start > 0) {
          this.buf = this.buf.subarray(start);
          this.scanned = 0;
        }
        if (this.buf.length === 0) return;
        const end = headEnd(this.buf, Math.max(0, this.scanned - 3));
        if (!end) {
          if (this.buf.length > this.limits.maxHeaderBytes) throw new SipError('SIP_LIMIT', `header block over ${this.limits.maxHeaderBytes} bytes`);
          this.scanned = this.buf.length;
          return;
        }
        if (end.at > this.limits.maxHeaderBytes) throw new SipError('SIP_LIMIT', `header block over ${this.limits.maxHeaderBytes} bytes`);
        const m = parseHead(this.buf.subarray(0, end.at).toString('utf8'), this.limits);
        checkRequired(m);
        const length = contentLength(m, this.limits) ?? 0;
        const bodyAt = end.at + end.len;
        if (this.buf.length < bodyAt + length) {
          this.scanned = end.at;
          return;
        }
        m.body = Buffer.from(this.buf.subarray(bodyAt, bodyAt + length));
        this.buf = this.buf.subarray(bodyAt + length);
        this.scanned = 0;
        this.onMessage(m);
      }
    } catch (e) {
      if (e instanceof SipError) {
        this.failed = e;
        this.buf = Buffer.alloc(0);
      }
      throw e;
    }
  }
}
