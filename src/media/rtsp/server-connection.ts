// One client connection to the RTSP server: decodes its requests, answers them in order and
// owns the TCP sessions set up on it (RFC 2326 §10).
import type { Socket } from 'node:net';
import { RtspDecoder } from './decoder.js';
import { RtspError } from './errors.js';
import { formatRtpInfo, formatSession, parseSession, type RtpInfoEntry } from './headers.js';
import { RtspHeaders, serializeResponse, type RtspRequest } from './message.js';
import type { ServerContext } from './rtsp-server.js';
import { ServerSession } from './server-session.js';
import { formatTransport, parseTransport, type TransportSpec } from './transport.js';

const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER';
// Requests a client may have queued before we answer; a flood beyond this closes the connection.
const MAX_QUEUED_REQUESTS = 16;

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer;
}

export class ServerConnection {
  private readonly decoder: RtspDecoder;
  private readonly sessions = new Set<ServerSession>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServerContext,
  ) {
    this.decoder = new RtspDecoder(
      {
        message: (m) => {
          if (m.kind !== 'request') return;
          if (++this.queued > MAX_QUEUED_REQUESTS) {
            this.destroy();
            return;
          }
          this.queue = this.queue.then(() => this.handle(m)).finally(() => this.queued--);
        },
        // Interleaved data from a client is RTCP (receiver reports): proof it is alive.
        interleaved: () => {
          const now = Date.now();
          for (const s of this.sessions) s.lastSeen = now;
        },
      },
      ctx.options.limits,
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (e) {
        if (e instanceof RtspError && e.code === 'RTSP_LIMIT') this.reply(undefined, { status: 400 });
        this.destroy();
      }
    });
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.endSessions());
  }

  destroy(): void {
    this.socket.destroy();
    this.endSessions();
  }

  private endSessions(): void {
    for (const s of this.sessions) this.ctx.endSession(s);
    this.sessions.clear();
  }

  private reply(req: RtspRequest | undefined, r: Reply): void {
    if (this.socket.destroyed) return;
    const headers = new RtspHeaders();
    const cseq = req?.headers.get('cseq');
    if (cseq !== undefined && /^\d{1,10}$/.test(cseq)) headers.set('CSeq', cseq);
    headers.set('Server', 'Vigil');
    for (const [k, v] of Object.entries(r.headers ?? {})) headers.set(k, v);
    const out: Parameters<typeof serializeResponse>[0] = { statusCode: r.status, headers };
    if (r.body) out.body = r.body;
    this.socket.write(serializeResponse(out));
  }

  private async handle(req: RtspRequest): Promise<void> {
    let r: Reply;
    try {
      r = await this.dispatch(req);
    } catch {
      r = { status: 500 };
    }
    if (r.status === 401) {
      const challenges = this.ctx.options.auth?.challenges?.() ?? [];
      const headers = new RtspHeaders({ 'CSeq': req.headers.get('cseq') ?? '0', Server: 'Vigil' });
      for (const c of challenges) headers.append('WWW-Authenticate', c);
      if (!this.socket.destroyed) this.socket.write(serializeResponse({ statusCode: 401, headers }));
      return;
    }
    this.reply(req, r);
  }

  private async dispatch(req: RtspRequest): Promise<Reply> {
    if (req.version !== 'RTSP/1.0') return { status: 505 };
    if (req.method === 'OPTIONS') return { status: 200, headers: { Public: PUBLIC } };
    const auth = this.ctx.options.auth;
    if (auth) {
      const outcome = await auth.authenticate(req);
      if (outcome === 'forbidden') return { status: 403 };
      if (!outcome) return { status: 401 };
    }
    const url = parseUrl(req.uri);
    if (!url) return { status: 400 };
    switch (req.method) {
      case 'DESCRIBE':
        return this.describe(req, url);
      case 'SETUP':
        return this.setup(req, url);
      case 'PLAY':
      case 'PAUSE':
      case 'TEARDOWN':
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return this.withSession(req, url);
      default:
        return { status: 501 };
    }
  }

  private describe(req: RtspRequest, url: URL): Reply {
    const mount = this.ctx.findMount(url.pathname);
    if (!mount) return { status: 404 };
    const { sdp } = mount.describe();
    const base = `${url.protocol}//${url.host}${mount.path}/`;
    void req;
    return { status: 200, headers: { 'Content-Base': base, 'Content-Type': 'application/sdp' }, body: Buffer.from(sdp) };
  }

  private setup(req: RtspRequest, url: URL): Reply {
    const m = /^(.*)\/trackID=(\d{1,3})$/.exec(url.pathname.replace(/\/+$/, ''));
    if (!m) return { status: 404 };
    const mount = this.ctx.findMount(m[1]!);
    const track = Number(m[2]);
    if (!mount) return { status: 404 };
    if (track >= mount.describe().trackCount) return { status: 404 };

    let session: ServerSession | undefined;
    const sid = parseSession(req.headers.get('session') ?? '')?.id;
    if (sid) {
      session = this.ctx.sessions.get(sid);
      if (!session || session.socket !== this.socket) return { status: 454 };
      if (session.mountPath !== mount.path) return { status: 459 };
    }
    const spec = this.chooseTransport(parseTransport(req.headers.get('transport') ?? ''), session);
    if (!spec) return { status: 461 };
    if (session && (spec.lower === 'TCP') !== (session.transport === 'tcp')) return { status: 461 };
    if (!session) {
      session = new ServerSession(this.ctx.newSessionId(), mount.path, spec.lower === 'TCP' ? 'tcp' : 'udp', this.socket, this.ctx.udp && { rtp: this.ctx.udp.rtp, rtcp: this.ctx.udp.rtcp }, this.ctx.options.maxBufferedBytes);
      this.ctx.sessions.set(session.id, session);
      this.sessions.add(session);
    }
    let reply: string;
    if (spec.lower === 'TCP') {
      const [rtp, rtcp] = spec.interleaved ?? [track * 2, track * 2 + 1];
      session.targets.set(track, { kind: 'tcp', rtpChannel: rtp, rtcpChannel: rtcp });
      reply = formatTransport({ lower: 'TCP', interleaved: [rtp, rtcp] });
    } else {
      const address = (this.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const [rtp, rtcp] = spec.clientPort!;
      session.targets.set(track, { kind: 'udp', address, rtpPort: rtp, rtcpPort: rtcp });
      this.ctx.registerUdpPeer(session, address, rtcp);
      reply = formatTransport({ lower: 'UDP', clientPort: [rtp, rtcp], serverPort: [this.ctx.udp!.rtpPort, this.ctx.udp!.rtcpPort] });
    }
    session.lastSeen = Date.now();
    return { status: 200, headers: { Transport: reply, Session: formatSession({ id: session.id, timeout: this.ctx.options.sessionTimeoutS }) } };
  }

  private chooseTransport(specs: TransportSpec[], session: ServerSession | undefined): TransportSpec | undefined {
    for (const s of specs) {
      if (s.profile !== 'RTP/AVP' || s.multicast) continue;
      if (s.mode && s.mode !== 'PLAY') continue;
      if (session && session.transport !== (s.lower === 'TCP' ? 'tcp' : 'udp')) continue;
      if (s.lower === 'TCP') return s;
      // UDP needs our socket pair and a client port; media goes only to the control peer's address.
      if (s.clientPort && this.ctx.udp && !s.destination) return s;
    }
    return undefined;
  }

  private withSession(req: RtspRequest, url: URL): Reply {
    const sid = parseSession(req.headers.get('session') ?? '')?.id;
    const session = sid ? this.ctx.sessions.get(sid) : undefined;
    if (!session) {
      // Keep-alives without a session (some clients ping this way) are harmless.
      if (req.method === 'GET_PARAMETER' || req.method === 'SET_PARAMETER') return { status: 200 };
      return { status: 454 };
    }
    if (session.socket !== this.socket && session.transport === 'tcp') return { status: 454 };
    session.lastSeen = Date.now();
    const sessionHeader = formatSession({ id: session.id, timeout: this.ctx.options.sessionTimeoutS });
    const mount = this.ctx.findMount(session.mountPath);
    switch (req.method) {
      case 'PLAY': {
        if (!mount) return { status: 404 };
        session.playing = true;
        mount.addPlayer(session);
        const base = `${url.protocol}//${url.host}${mount.path}/`;
        const info: RtpInfoEntry[] = [];
        for (const track of session.targets.keys()) {
          const i = mount.rtpInfo(track);
          info.push(i ? { url: `${base}trackID=${track}`, ...i } : { url: `${base}trackID=${track}` });
        }
        return { status: 200, headers: { Session: sessionHeader, Range: 'npt=now-', 'RTP-Info': formatRtpInfo(info) } };
      }
      case 'PAUSE':
        session.playing = false;
        mount?.removePlayer(session);
        return { status: 200, headers: { Session: sessionHeader } };
      case 'TEARDOWN':
        this.ctx.endSession(session);
        this.sessions.delete(session);
        return { status: 200 };
      default:
        return { status: 200, headers: { Session: sessionHeader } };
    }
  }
}

function parseUrl(uri: string): URL | undefined {
  try {
    const u = new URL(uri);
    return u.protocol === 'rtsp:' || u.protocol === 'rtsps:' ? u : undefined;
  } catch {
    return undefined;
  }
}
