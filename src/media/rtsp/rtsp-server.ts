// A small RTSP 1.0 server (RFC 2326 §10: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN,
// GET_PARAMETER) that serves media sources mounted by path over TCP interleaved or UDP.
// Packets a source pushes go to every playing session as the same buffer.
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { DecoderLimits } from './decoder.js';
import { RtspError } from './errors.js';
import type { RtspRequest } from './message.js';
import { ServerConnection } from './server-connection.js';
import { Mount, type MediaSourceSpec, type MountedSource } from './server-mount.js';
import type { ServerSession } from './server-session.js';
import { bindUdpPair, type UdpPair } from './udp-pair.js';

export type { MediaSourceSpec, MountedSource };

/**
 * true: go on; false: 401 with the hook's challenges (no or bad credentials); 'forbidden': 403,
 * the credentials are good but do not allow this request (RFC 2326 §11.4.4).
 */
export type AuthOutcome = boolean | 'forbidden';

export interface ServerAuthHook {
  authenticate(req: RtspRequest): AuthOutcome | Promise<AuthOutcome>;
  /** WWW-Authenticate values sent with a 401. */
  challenges?(): string[];
}

export interface RtspServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Serve rtsps:// with these TLS options (key, cert, …). */
  tls?: TlsOptions;
  /** First port of the UDP RTP/RTCP pair (0 picks one); false disables UDP transport. */
  udpPort?: number | false;
  /** Sessions without requests or RTCP for this long end (RFC 2326 §12.37; default 60). */
  sessionTimeoutS?: number;
  /** Per TCP viewer: queued bytes past which packets are dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  auth?: ServerAuthHook;
  limits?: Partial<DecoderLimits>;
  maxConnections?: number;
  senderReportIntervalMs?: number;
}

export interface ServerContext {
  readonly options: Required<Pick<RtspServerOptions, 'sessionTimeoutS' | 'maxBufferedBytes'>> & RtspServerOptions;
  readonly udp: UdpPair | undefined;
  readonly sessions: Map<string, ServerSession>;
  findMount(path: string): Mount | undefined;
  newSessionId(): string;
  endSession(s: ServerSession): void;
  registerUdpPeer(s: ServerSession, address: string, rtcpPort: number): void;
}

export class RtspServer implements ServerContext {
  readonly options: ServerContext['options'];
  readonly sessions = new Map<string, ServerSession>();
  udp: UdpPair | undefined;
  private readonly mounts = new Map<string, Mount>();
  private readonly connections = new Set<ServerConnection>();
  private server: Server | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly cname = `vigil-${randomBytes(4).toString('hex')}`;
  private udpByPeer = new Map<string, ServerSession>();

  constructor(options: RtspServerOptions = {}) {
    this.options = { sessionTimeoutS: 60, maxBufferedBytes: 1 << 20, ...options };
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<number> {
    const host = this.options.host ?? '127.0.0.1';
    if (this.options.udpPort !== false) {
      this.udp = await bindUdpPair(host, this.options.udpPort ?? 0);
      this.udp.rtp.on('error', () => undefined);
      this.udp.rtcp.on('error', () => undefined);
      this.udp.rtcp.on('message', (_msg, rinfo) => {
        const s = this.udpByPeer.get(`${rinfo.address}:${rinfo.port}`);
        if (s) s.lastSeen = Date.now();
      });
    }
    const onSocket = (socket: Socket) => {
      const conn = new ServerConnection(socket, this);
      this.connections.add(conn);
      socket.once('close', () => this.connections.delete(conn));
    };
    const server = this.options.tls ? createTlsServer(this.options.tls, onSocket) : createNetServer(onSocket);
    if (this.options.maxConnections) server.maxConnections = this.options.maxConnections;
    server.on('error', () => undefined);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const sweepMs = Math.max(250, Math.min(5000, (this.options.sessionTimeoutS * 1000) / 4));
    this.timers.push(
      setInterval(() => this.sweep(), sweepMs),
      setInterval(() => {
        for (const m of this.mounts.values()) m.sendSenderReports(this.cname);
      }, this.options.senderReportIntervalMs ?? 5000),
    );
    return this.port;
  }

  /** Serves `spec` at `path` (e.g. "/cam/1"); SETUP URLs are `<path>/trackID=N`. */
  mount(path: string, spec: MediaSourceSpec): MountedSource {
    const key = normalisePath(path);
    if (this.mounts.has(key)) throw new RtspError('RTSP_STATE', `${key} is already mounted`);
    const mount = new Mount(key, spec, (m) => {
      if (this.mounts.get(m.path) === m) this.mounts.delete(m.path);
      for (const s of [...this.sessions.values()]) if (s.mountPath === m.path) this.endSession(s);
    });
    this.mounts.set(key, mount);
    return mount;
  }

  findMount(path: string): Mount | undefined {
    return this.mounts.get(normalisePath(path));
  }

  newSessionId(): string {
    return randomBytes(8).toString('hex');
  }

  registerUdpPeer(s: ServerSession, address: string, rtcpPort: number): void {
    this.udpByPeer.set(`${address}:${rtcpPort}`, s);
  }

  endSession(s: ServerSession): void {
    if (this.sessions.get(s.id) !== s) return;
    this.sessions.delete(s.id);
    this.findMount(s.mountPath)?.removePlayer(s);
    for (const t of s.targets.values()) if (t.kind === 'udp') this.udpByPeer.delete(`${t.address}:${t.rtcpPort}`);
  }

  async close(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const s of [...this.sessions.values()]) this.endSession(s);
    for (const c of this.connections) c.destroy();
    this.udp?.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.sessionTimeoutS * 1000;
    for (const s of [...this.sessions.values()]) {
      // TCP sessions live as long as their connection; UDP ones need requests or RTCP.
      if (s.transport === 'udp' && s.lastSeen < cutoff) this.endSession(s);
    }
  }
}

export function normalisePath(path: string): string {
  const p = '/' + path.replace(/^\/+|\/+$/g, '');
  return p;
}
