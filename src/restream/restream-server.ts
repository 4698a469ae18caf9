// Cameras served onward over RTSP to authorised machine clients (R2.2: analytics systems of other
// departments), at rtsp://host:port/cameras/<id>. A client signs every request with an API token
// (see credentials.ts); the token's actor must be allowed to watch the camera live, decided and
// registered by the access rules once per connection and camera; each PLAY opens a stream in the
// shared stream register (listed with every other open stream, closed when the token, a role or
// the account is revoked) and is registered with the client as its destination (R5.2).
//
// The protocol is src/media/rtsp's server; we own the listening socket so that each connection
// gets its own gate that knows the peer's address and what it has proved, which a server-wide
// hook cannot. Media goes only over the authenticated connection (TCP interleaved): no UDP, so
// nothing is sent to an address the client merely names.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Access } from '../access/index.js';
import { isVigilError } from '../errors.js';
import type { StreamHub } from '../live/stream-hub.js';
import type { StreamRegister } from '../live/stream-register.js';
import { parseSession } from '../media/rtsp/headers.js';
import type { RtspRequest } from '../media/rtsp/message.js';
import { RtspServer, type AuthOutcome, type ServerAuthHook, type ServerContext } from '../media/rtsp/rtsp-server.js';
import { ServerConnection } from '../media/rtsp/server-connection.js';
import { CameraRestream, type CameraRestreamOptions } from './camera-restream.js';
import { cameraOfUri, cameraPath, parseBasicToken, usernameMatches } from './credentials.js';

export interface RestreamServerOptions {
  hub: StreamHub;
  /** The process's stream register, so RTSP streams are listed and revoked with the others. */
  register: StreamRegister;
  access: Pick<Access, 'accounts' | 'footage' | 'log'>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  realm?: string;
  /** Failed authentications after which a connection is closed (default 3). */
  maxFailures?: number;
  maxConnections?: number;
  camera?: CameraRestreamOptions;
  logger?: Logger;
}

const SENDER_REPORT_MS = 5000;
const SWEEP_MS = 1000;

export class RestreamServer {
  /** Mounts and sessions; never listens itself (we hand it connections through their gates). */
  readonly rtsp: RtspServer;
  private readonly cameras = new Map<number, CameraRestream>();
  private readonly preparing = new Map<number, Promise<CameraRestream | undefined>>();
  private readonly connections = new Set<ConnectionGate>();
  private server: Server | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly cname = `vigil-restream-${randomBytes(4).toString('hex')}`;

  constructor(readonly options: RestreamServerOptions) {
    this.rtsp = new RtspServer({ udpPort: false, sessionTimeoutS: 60 });
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** rtsp://host:port/cameras/<id>, without credentials. */
  url(cameraId: number): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `rtsp://${h}:${this.port}${cameraPath(cameraId)}`;
  }

  async listen(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    if (this.options.maxConnections) server.maxConnections = this.options.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.host, () => {
        server.off('error', reject);
        server.on('error', (e) => this.options.logger?.warn({ err: e.message }, 'RTSP re-stream server error'));
        resolve();
      });
    });
    this.timers.push(
      setInterval(() => {
        for (const c of this.cameras.values()) this.rtsp.findMount(c.mount.path)?.sendSenderReports(this.cname);
      }, SENDER_REPORT_MS),
      setInterval(() => {
        for (const g of this.connections) g.sweep();
      }, SWEEP_MS),
    );
    for (const t of this.timers) t.unref();
    this.options.logger?.info({ port: this.port, host: this.host }, 'RTSP re-stream server listening');
    return this.port;
  }

  /** The camera's mount with its description known, or undefined when it has no stream. */
  async prepare(cameraId: number): Promise<CameraRestream | undefined> {
    const existing = this.cameras.get(cameraId);
    if (existing) {
      try {
        await existing.ready();
        return existing;
      } catch {
        return undefined;
      }
    }
    let p = this.preparing.get(cameraId);
    if (!p) {
      p = (async () => {
        const c = new CameraRestream(this.options.hub, cameraId, this.rtsp, this.options.camera);
        try {
          await c.ready();
          this.cameras.set(cameraId, c);
          return c;
        } catch (e) {
          this.options.logger?.warn({ cameraId, err: (e as Error).message }, 'camera has no stream to re-stream');
          c.close();
          return undefined;
        }
      })().finally(() => this.preparing.delete(cameraId));
      this.preparing.set(cameraId, p);
    }
    return p;
  }

  async close(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const g of [...this.connections]) g.destroy('shutting down');
    for (const c of this.cameras.values()) c.close();
    this.cameras.clear();
    await this.rtsp.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const gate = new ConnectionGate(this, socket);
    this.connections.add(gate);
    socket.once('close', () => {
      this.connections.delete(gate);
      void gate.closed();
    });
    // ServerConnection reads the auth hook from the context's options: give it this gate's.
    const rtsp = this.rtsp;
    const ctx: ServerContext = {
      options: { ...rtsp.options, auth: gate },
      udp: undefined,
      sessions: rtsp.sessions,
      findMount: (path) => rtsp.findMount(path),
      newSessionId: () => rtsp.newSessionId(),
      endSession: (s) => rtsp.endSession(s),
      registerUdpPeer: () => undefined,
    };
    new ServerConnection(socket, ctx);
  }
}

interface Decision {
  allowed: boolean;
  /** A stream token issued with the decision, for the PLAY that follows (single use). */
  streamToken?: string;
}

/** One client connection: who it proved to be, what it may watch, and the streams it opened. */
class ConnectionGate implements ServerAuthHook {
  readonly address: string | null;
  private readonly remote: string;
  private readonly decisions = new Map<number, Decision>();
  /** RTSP session id → stream register id. */
  private readonly streams = new Map<string, string>();
  private presented = false;
  private authenticated = false;
  private challenged: { cameraId: number | undefined; target: string } | undefined;
  private failures = 0;

  constructor(
    private readonly server: RestreamServer,
    private readonly socket: Socket,
  ) {
    this.address = socket.remoteAddress?.replace(/^::ffff:/, '') ?? null;
    this.remote = `${this.address ?? 'unknown'}:${socket.remotePort ?? 0}`;
  }

  challenges(): string[] {
    return [`Basic realm="${this.server.options.realm ?? 'vigil'}"`];
  }

  /** false: 401 (no or bad credentials); 'forbidden': 403 (a good token not allowed this camera). */
  async authenticate(req: RtspRequest): Promise<AuthOutcome> {
    const { access } = this.server.options;
    const cameraId = cameraOfUri(req.uri);
    const target = `RTSP ${req.method} ${pathOf(req.uri)}`;
    const header = req.headers.get('authorization');
    if (header === undefined) {
      // Every client first asks without credentials and retries after the challenge; only a
      // connection that never presents any is registered as refused (when it closes).
      this.challenged ??= { cameraId, target };
      return false;
    }
    this.presented = true;
    const creds = parseBasicToken(header);
    const actor = creds ? await access.accounts.fromApiToken(creds.token, this.address) : null;
    if (!creds || !actor || !usernameMatches(creds.username, actor.tokenId)) {
      await access.log.record(null, {
        action: 'login',
        outcome: 'failed',
        sourceAddress: this.address,
        cameraIds: cameraId ? [cameraId] : [],
        target,
        reason: !creds ? 'RTSP credentials are not Basic with an API token' : !actor ? 'unknown, expired or revoked API token' : 'the user name is neither "token" nor the API token\'s id',
      });
      if (++this.failures >= (this.server.options.maxFailures ?? 3)) setImmediate(() => this.destroy('too many failed authentications'));
      return false;
    }
    this.authenticated = true;
    if (cameraId === undefined) return true; // keep-alives on "*" or the base URL; unknown paths get 404
    const decision = await this.decide(actor, cameraId);
    if (!decision.allowed) return 'forbidden';
    if (!(await this.server.prepare(cameraId))) return true; // no mount: 404
    if (req.method === 'PLAY') return this.play(actor, cameraId, req, decision);
    return true;
  }

  /** The access rules' decision for this camera, taken (and registered) once per connection. */
  private async decide(actor: Parameters<Access['footage']['issueStreamToken']>[0], cameraId: number): Promise<Decision> {
    const known = this.decisions.get(cameraId);
    if (known) return known;
    let decision: Decision;
    try {
      const issued = await this.server.options.access.footage.issueStreamToken(actor, { cameraId, kind: 'live' });
      decision = { allowed: true, streamToken: issued.token };
    } catch (e) {
      // An unknown camera is not a refusal: let the server answer 404 for its missing mount.
      if (isVigilError(e) && e.status === 404) return { allowed: true };
      if (!isVigilError(e) || e.status !== 403) throw e;
      decision = { allowed: false };
    }
    this.decisions.set(cameraId, decision);
    return decision;
  }

  /** Opens the stream in the register before the server starts sending to the session. */
  private async play(actor: Parameters<Access['footage']['issueStreamToken']>[0], cameraId: number, req: RtspRequest, decision: Decision): Promise<AuthOutcome> {
    const { access, register, logger } = this.server.options;
    const sid = parseSession(req.headers.get('session') ?? '')?.id;
    const session = sid ? this.server.rtsp.sessions.get(sid) : undefined;
    if (!sid || !session || session.socket !== this.socket) return true; // the server answers 454
    if (this.streams.has(sid)) return true; // PLAY after PAUSE: the stream is open already
    let token = decision.streamToken;
    decision.streamToken = undefined;
    token ??= (await access.footage.issueStreamToken(actor, { cameraId, kind: 'live' })).token;
    let stream;
    try {
      stream = await register.open(token, { cameraId, kind: 'live', transport: 'rtsp', sourceAddress: this.address, polled: false }, (reason) => {
        this.streams.delete(sid);
        const s = this.server.rtsp.sessions.get(sid);
        if (s) this.server.rtsp.endSession(s);
        logger?.info({ cameraId, session: sid, reason }, 'RTSP re-stream closed');
        if (reason.startsWith('revoked')) this.destroy(reason);
      });
    } catch (e) {
      // Registered by the token check.
      if (isVigilError(e) && e.status === 403) return 'forbidden';
      if (isVigilError(e) && e.status === 401) return false;
      throw e;
    }
    this.streams.set(sid, stream.id);
    await access.log.record(actor, {
      action: 'view',
      outcome: 'success',
      cameraIds: [cameraId],
      from: stream.openedAt,
      to: stream.openedAt,
      sourceAddress: this.address,
      destination: `RTSP client ${this.remote} (API token ${actor.tokenId})`,
      target: `RTSP PLAY ${cameraPath(cameraId)}`,
      detail: { transport: 'rtsp', stream: stream.id },
    });
    return true;
  }

  /** Closes register entries of sessions the server ended (TEARDOWN, unmount). */
  sweep(): void {
    for (const [sid, id] of this.streams) {
      if (!this.server.rtsp.sessions.has(sid)) {
        this.streams.delete(sid);
        this.server.options.register.close(id, 'ended by the client');
      }
    }
  }

  destroy(reason: string): void {
    this.server.options.logger?.debug({ remote: this.remote, reason }, 'RTSP re-stream connection closed');
    this.socket.destroy();
  }

  /** The connection is gone: its streams leave the register; a never-authenticated one is registered. */
  async closed(): Promise<void> {
    for (const [sid, id] of this.streams) {
      this.streams.delete(sid);
      this.server.options.register.close(id, 'connection closed');
    }
    if (this.challenged && !this.presented && !this.authenticated) {
      await this.server.options.access.log
        .record(null, {
          action: 'view',
          outcome: 'refused',
          sourceAddress: this.address,
          cameraIds: this.challenged.cameraId ? [this.challenged.cameraId] : [],
          target: this.challenged.target,
          reason: 'RTSP client gave no credentials',
        })
        .catch((e: Error) => this.server.options.logger?.error({ err: e.message }, 'could not register a refused RTSP connection'));
    }
  }
}

function pathOf(uri: string): string {
  try {
    return new URL(uri).pathname.slice(0, 200);
  } catch {
    return uri.slice(0, 200);
  }
}
