// Incremental decoder for one RTSP connection: requests and responses (RFC 2326 §4, §6, §7, with
// §4.3 Content-Length framing) mixed with interleaved binary frames ($, channel, length; §10.12).
// Every buffer it holds is capped, so a hostile peer costs at most the configured limits.
// Interleaved frames are handed out as views of the received chunk; only a frame split across
// two chunks is assembled, and only it is copied (not the whole chunk). With `transient` the
// chunk is a read buffer the caller reuses: what must outlive push() is copied into a holding
// buffer, and payloads are valid only during the handler call.
import { RtspError } from './errors.js';
import { RtspHeaders, type RtspMessage } from './message.js';

export interface DecoderLimits {
  /** Longest accepted start or header line (default 4 KiB). */
  maxLineBytes: number;
  /** Largest accepted start line + header block (default 16 KiB). */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  /** Largest Content-Length accepted (default 256 KiB; SDP bodies are a few KiB). */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: DecoderLimits = {
  maxLineBytes: 4096,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 64,
  maxBodyBytes: 256 * 1024,
};

export interface DecoderOptions {
  /** Chunks passed to push() are reused after it returns (a socket's `onread` buffer). */
  transient?: boolean;
}

export interface DecoderHandlers {
  message(message: RtspMessage): void;
  interleaved(channel: number, payload: Buffer): void;
  /**
   * When given, called instead of `interleaved` with the frame's bytes as buf[start, end): no view
   * is made per frame, for consumers that parse in place.
   */
  interleavedAt?(channel: number, buf: Buffer, start: number, end: number): void;
}

const DOLLAR = 0x24;
const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
/** A holding buffer larger than this is not kept between chunks. */
const KEEP_HOLD_BYTES = 8 * 1024;

type State =
  | { kind: 'idle' }
  | { kind: 'head'; lines: string[]; lineStart: number }
  | { kind: 'body'; message: RtspMessage; headerBytes: number; length: number };

export class RtspDecoder {
  private readonly limits: DecoderLimits;
  private buf: Buffer = EMPTY;
  private pos = 0;
  private state: State = { kind: 'idle' };
  private failed: RtspError | undefined;
  private readonly transient: boolean;
  /** Transient mode: the unconsumed tail of the last chunk, and where a split frame is assembled. */
  private hold: Buffer | undefined;

  constructor(
    private readonly handlers: DecoderHandlers,
    limits: Partial<DecoderLimits> = {},
    options: DecoderOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.transient = options.transient ?? false;
  }

  /** Bytes received but not yet handed out. */
  get bufferedBytes(): number {
    return this.buf.length - this.pos;
  }

  /**
   * Feeds bytes; calls the handlers for every complete item. Throws RtspError on bytes that are
   * not RTSP or break a limit; the decoder then stays failed and the connection should close.
   */
  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    // Whether this.buf may be kept after push returns.
    let kept = !this.transient;
    try {
      if (this.pos >= this.buf.length) {
        this.buf = chunk;
      } else {
        const rest = this.completeSplitFrame(chunk);
        if (rest) {
          this.buf = rest;
        } else {
          this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
          kept = true;
        }
      }
      this.pos = 0;
      while (this.step());
    } catch (e) {
      if (e instanceof RtspError) {
        this.failed = e;
        this.buf = EMPTY;
        this.pos = 0;
        this.hold = undefined;
      }
      throw e;
    }
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
      if (this.hold && this.hold.length > KEEP_HOLD_BYTES) this.hold = undefined;
    } else if (!kept) {
      const n = this.buf.length - this.pos;
      const hold = this.holding(n, false);
      this.buf.copy(hold, 0, this.pos);
      this.buf = hold.subarray(0, n);
      this.pos = 0;
    }
  }

  /**
   * The held bytes begin an interleaved frame that this chunk completes: hands the frame out and
   * returns the rest of the chunk. Undefined when that is not the case (then the caller joins).
   */
  private completeSplitFrame(chunk: Buffer): Buffer | undefined {
    const held = this.buf.length - this.pos;
    if (this.state.kind !== 'idle' || this.buf[this.pos] !== DOLLAR || held + chunk.length < 4) return undefined;
    const at = (i: number) => (i < held ? this.buf[this.pos + i]! : chunk[i - held]!);
    const total = 4 + ((at(2) << 8) | at(3));
    const need = total - held;
    if (need > chunk.length) return undefined;
    const channel = at(1);
    let frame: Buffer;
    if (this.transient) {
      // Usually the held bytes already start the holding buffer (kept there by the last push).
      const inHold = this.hold !== undefined && this.pos === 0 && this.buf.buffer === this.hold.buffer && this.buf.byteOffset === this.hold.byteOffset;
      frame = this.holding(total, inHold);
      if (!inHold) this.buf.copy(frame, 0, this.pos);
    } else {
      frame = Buffer.allocUnsafe(total);
      this.buf.copy(frame, 0, this.pos);
    }
    chunk.copy(frame, held, 0, need);
    this.buf = EMPTY;
    this.pos = 0;
    if (this.handlers.interleavedAt) this.handlers.interleavedAt(channel, frame, 4, total);
    else this.handlers.interleaved(channel, frame.subarray(4, total));
    return chunk.subarray(need);
  }

  /** The holding buffer with room for n bytes; `keep` preserves the bytes it holds. */
  private holding(n: number, keep: boolean): Buffer {
    const hold = this.hold;
    if (hold && hold.length >= n) return hold;
    const grown = Buffer.allocUnsafeSlow(Math.max(n, 2048));
    if (hold && keep) hold.copy(grown);
    this.hold = grown;
    return grown;
  }

  /** Does one unit of work; false when more bytes are needed. */
  private step(): boolean {
    const buf = this.buf;
    const state = this.state;
    if (state.kind === 'idle') {
      // Stray CR/LF between messages is common (keep-alive replies, sloppy servers).
      while (this.pos < buf.length && (buf[this.pos] === CR || buf[this.pos] === LF)) this.pos++;
      if (this.pos >= buf.length) return false;
      if (buf[this.pos] === DOLLAR) {
        if (buf.length - this.pos < 4) return false;
        const channel = buf[this.pos + 1]!;
        const length = buf.readUInt16BE(this.pos + 2);
        if (buf.length - this.pos < 4 + length) return false;
        const start = this.pos + 4;
        this.pos = start + length;
        if (this.handlers.interleavedAt) this.handlers.interleavedAt(channel, buf, start, start + length);
        else this.handlers.interleaved(channel, buf.subarray(start, start + length));
        return true;
      }
      this.state = { kind: 'head', lines: [], lineStart: 0 };
      return true;
    }
    if (state.kind === 'head') return this.stepHead(state);
    if (buf.length - this.pos < state.length) return false;
    state.message.body = Buffer.from(buf.subarray(this.pos, this.pos + state.length));
    this.pos += state.length;
    this.state = { kind: 'idle' };
    this.handlers.message(state.message);
    return true;
  }

  private stepHead(state: Extract<State, { kind: 'head' }>): boolean {
    const buf = this.buf;
    const { maxLineBytes, maxHeaderBytes } = this.limits;
    for (;;) {
      const start = this.pos + state.lineStart;
      const nl = buf.indexOf(LF, start);
      const end = nl < 0 ? buf.length : nl;
      if (end - start > maxLineBytes) throw new RtspError('RTSP_LIMIT', `line longer than ${maxLineBytes} bytes`);
      if (end - this.pos > maxHeaderBytes) throw new RtspError('RTSP_LIMIT', `header block larger than ${maxHeaderBytes} bytes`);
      if (nl < 0) {
        if (state.lines.length === 0) checkStartPrefix(buf.subarray(start, end));
        return false;
      }
      let line = buf.toString('latin1', start, end);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      state.lineStart = nl + 1 - this.pos;
      if (line !== '') {
        if (state.lines.length === 0) checkStartPrefix(Buffer.from(line, 'latin1'));
        if (state.lines.length > this.limits.maxHeaderCount) {
          throw new RtspError('RTSP_LIMIT', `more than ${this.limits.maxHeaderCount} header lines`);
        }
        state.lines.push(line);
        continue;
      }
      const headerBytes = state.lineStart;
      const message = buildMessage(state.lines);
      const length = contentLength(message.headers, this.limits.maxBodyBytes);
      this.pos += headerBytes;
      if (length === 0) {
        this.state = { kind: 'idle' };
        this.handlers.message(message);
      } else {
        this.state = { kind: 'body', message, headerBytes, length };
      }
      return true;
    }
  }
}

// Rejects garbage as soon as its first bytes show it cannot begin a start line, rather than
// buffering a whole line of it.
function checkStartPrefix(bytes: Buffer): void {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 40));
  if (head.length === 0) return;
  const sp = head.indexOf(' ');
  const word = sp < 0 ? head : head.slice(0, sp);
  if (word.startsWith('RTSP/') || /^[A-Za-z_-]{1,32}$/.test(word)) return;
  throw new RtspError('RTSP_MALFORMED', `not an RTSP message: ${JSON.stringify(head.slice(0, 20))}`);
}

function buildMessage(lines: string[]): RtspMessage {
  const startLine = lines[0]!;
  const headers = new RtspHeaders();
  let last: { name: string } | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      // Obsolete line folding (RFC 2326 §4.2 via RFC 2616 §2.2): continue the previous value.
      const all = headers.getAll(last.name);
      all[all.length - 1] += ' ' + line.trim();
      headers.delete(last.name);
      for (const v of all) headers.append(last.name, v);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RtspError('RTSP_MALFORMED', `header line without a name: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim();
    headers.append(name, line.slice(colon + 1).trim());
    last = { name };
  }
  if (startLine.startsWith('RTSP/')) {
    const m = /^(RTSP\/\d\.\d)\s+(\d{3})(?:\s+(.*))?$/.exec(startLine);
    if (!m) throw new RtspError('RTSP_MALFORMED', `bad status line: ${JSON.stringify(startLine.slice(0, 60))}`);
    return { kind: 'response', version: m[1]!, statusCode: Number(m[2]), reason: m[3] ?? '', headers, body: Buffer.alloc(0) };
  }
  const m = /^([A-Za-z_-]{1,32})\s+(\S+)\s+(RTSP\/\d\.\d)$/.exec(startLine);
  if (!m) throw new RtspError('RTSP_MALFORMED', `bad request line: ${JSON.stringify(startLine.slice(0, 60))}`);
  return { kind: 'request', method: m[1]!.toUpperCase(), uri: m[2]!, version: m[3]!, headers, body: Buffer.alloc(0) };
}

function contentLength(headers: RtspHeaders, max: number): number {
  const value = headers.get('content-length');
  if (value === undefined) return 0;
  if (!/^\d{1,15}$/.test(value)) throw new RtspError('RTSP_MALFORMED', `bad Content-Length: ${JSON.stringify(value.slice(0, 30))}`);
  const n = Number(value);
  if (n > max) throw new RtspError('RTSP_LIMIT', `Content-Length ${n} exceeds ${max}`);
  return n;
}
