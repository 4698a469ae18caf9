// One RTSP control connection: sends requests with CSeq (RFC 2326 §12.17), matches responses,
// times each one out, and passes interleaved frames and server-sent requests on.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { RtspDecoder, type DecoderHandlers, type DecoderLimits } from './decoder.js';
import { RtspError } from './errors.js';
import { RtspHeaders, interleavedHeader, serializeRequest, serializeResponse, type RtspRequest, type RtspResponse } from './message.js';

export interface ConnectionHandlers {
  interleaved(channel: number, payload: Buffer): void;
  /** Optional: the frame as buf[start, end), no view made (see DecoderHandlers.interleavedAt). */
  interleavedAt?(channel: number, buf: Buffer, start: number, end: number): void;
  /** A fatal problem; the connection is already closed. */
  failed(error: RtspError): void;
}

interface Pending {
  cseq: number;
  resolve(res: RtspResponse): void;
  reject(e: RtspError): void;
  timer: NodeJS.Timeout;
}

/**
 * One read buffer for every connection opened with `sharedReadBuffer`: Node reads a socket into
 * it and calls back at once, so no buffer is allocated per read (each one is V8 external memory
 * that hastens full garbage collections). Safe to share: the callback runs to completion before
 * any other socket is read.
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

/** Where a socket opened with the shared read buffer delivers its bytes. */
export class SharedReads {
  private target: RtspConnection | undefined;
  private early: Buffer[] = [];

  deliver(chunk: Buffer): void {
    if (this.target) this.target.receive(chunk);
    else this.early.push(Buffer.from(chunk)); // before the connection exists: kept, as a copy
  }

  attach(target: RtspConnection): void {
    this.target = target;
    for (const c of this.early.splice(0)) target.receive(c);
  }
}

export class RtspConnection {
  bytesReceived = 0;
  lastReceivedAt = Date.now();
  private readonly decoder: RtspDecoder;
  private readonly pending: Pending[] = [];
  private cseq = 0;
  private closed: RtspError | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
    private readonly responseTimeoutMs: number,
    limits: Partial<DecoderLimits> = {},
    /** The socket reads into the shared buffer and delivers through `reads` (see openRtspSocket). */
    reads?: SharedReads,
  ) {
    const decoderHandlers: DecoderHandlers = {
      message: (m) => {
        if (m.kind === 'response') this.onResponse(m);
        else this.onServerRequest(m);
      },
      interleaved: (ch, payload) => this.handlers.interleaved(ch, payload),
    };
    const at = handlers.interleavedAt;
    if (at) decoderHandlers.interleavedAt = (ch, buf, start, end) => at(ch, buf, start, end);
    this.decoder = new RtspDecoder(
      decoderHandlers,
      limits,
      { transient: reads !== undefined },
    );
    if (reads) reads.attach(this);
    else socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (e) => this.fail(new RtspError('RTSP_CLOSED', `connection error: ${e.message}`)));
    socket.on('close', () => this.fail(new RtspError('RTSP_CLOSED', 'server closed the connection')));
  }

  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.bytesReceived += chunk.length;
    this.lastReceivedAt = Date.now();
    try {
      this.decoder.push(chunk);
    } catch (e) {
      this.fail(e instanceof RtspError ? e : new RtspError('RTSP_MALFORMED', String(e)));
    }
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  request(method: string, uri: string, headers: RtspHeaders): Promise<RtspResponse> {
    if (this.closed) return Promise.reject(this.closed);
    const cseq = ++this.cseq;
    headers.set('CSeq', cseq);
    const bytes = serializeRequest({ method, uri, headers });
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new RtspError('RTSP_TIMEOUT', `no response to ${method} within ${this.responseTimeoutMs} ms`));
      }, this.responseTimeoutMs);
      this.pending.push({ cseq, resolve, reject, timer });
      this.socket.write(bytes);
    });
  }

  sendInterleaved(channel: number, payload: Buffer): void {
    if (this.closed || payload.length > 0xffff) return;
    this.socket.cork();
    this.socket.write(interleavedHeader(channel, payload.length));
    this.socket.write(payload);
    this.socket.uncork();
  }

  /** Closes the connection; pending requests fail with `reason`. */
  close(reason = new RtspError('RTSP_CLOSED', 'connection closed')): void {
    if (this.closed) return;
    this.closed = reason;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.socket.destroy();
  }

  private fail(error: RtspError): void {
    if (this.closed) return;
    this.close(error);
    this.handlers.failed(error);
  }

  private onResponse(res: RtspResponse): void {
    const cseq = Number(res.headers.get('cseq'));
    // Some cameras drop CSeq from responses; answers come in order, so take the oldest then.
    let i = Number.isInteger(cseq) ? this.pending.findIndex((p) => p.cseq === cseq) : 0;
    if (i < 0) return;
    if (this.pending.length === 0) return;
    if (!Number.isInteger(cseq)) i = 0;
    const [p] = this.pending.splice(i, 1);
    clearTimeout(p!.timer);
    p!.resolve(res);
  }

  private onServerRequest(req: RtspRequest): void {
    // Servers may probe us (OPTIONS, GET_PARAMETER); everything else is not ours to do.
    const ok = req.method === 'OPTIONS' || req.method === 'GET_PARAMETER';
    const headers = new RtspHeaders();
    const cseq = req.headers.get('cseq');
    if (cseq !== undefined && /^\d{1,10}$/.test(cseq)) headers.set('CSeq', cseq);
    this.socket.write(serializeResponse({ statusCode: ok ? 200 : 501, headers }));
  }
}

const DEFAULT_PORT = { 'rtsp:': 554, 'rtsps:': 322 } as const;

/**
 * TCP, or TLS for rtsps:// (RFC 2326 §3.2 ports 554 and 322), within a connect timeout. With
 * `address`, the socket connects there instead of resolving the host again. With
 * `reads`, the socket reads into the shared read buffer and delivers each chunk through it to the
 * RtspConnection later given the same `reads`; chunks are valid only during that call.
 */
export function openRtspSocket(url: URL, timeoutMs: number, tls?: ConnectionOptions, reads?: SharedReads, address?: string): Promise<Socket> {
  const secure = url.protocol === 'rtsps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || DEFAULT_PORT[secure ? 'rtsps:' : 'rtsp:'];
  const onread = reads && {
    buffer: READ_BUFFER,
    callback: (n: number, buf: Uint8Array): boolean => {
      reads.deliver(buf instanceof Buffer ? buf.subarray(0, n) : Buffer.from(buf.buffer, buf.byteOffset, n));
      return true;
    },
  };
  return new Promise((resolve, reject) => {
    const socket: Socket = secure
      ? tlsConnect({ host: address ?? host, port, ...(isIP(host) ? {} : { servername: host }), ...tls, ...(onread ? { onread } : {}) })
      : netConnect({ host: address ?? host, port, ...(onread ? { onread } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RtspError('RTSP_CONNECT', `no connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new RtspError('RTSP_CONNECT', `cannot connect to ${host}:${port}: ${e.message}`));
    });
  });
}
