// RTSP 1.0 client (RFC 2326 §10: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN) that
// pulls a camera's tracks over TCP interleaved (§10.12) or UDP, with RTCP receiver reports.
import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { ReorderOptions } from '../rtp/reorder-buffer.js';
import type { RtcpPacket } from '../rtp/rtcp.js';
import { copyRtpPacket } from '../rtp/rtp-packet.js';
import { resolveControl } from '../sdp/control-url.js';
import { getAttribute, parseSdp, sessionRange, type SessionDescription } from '../sdp/sdp.js';
import { SdpError } from '../sdp/errors.js';
import { describeTracks } from '../sdp/tracks.js';
import { ClientAuth, credentialsFromUrl, type Credentials } from './auth.js';
import { TrackReceiver, type ClientTrack, type TrackPacket, type TrackStats } from './client-track.js';
import type { DecoderLimits } from './decoder.js';
import { RtspError } from './errors.js';
import { parsePublic, parseRtpInfo, parseSession, type RtpInfoEntry } from './headers.js';
import { RtspHeaders, type RtspResponse } from './message.js';
import { PacketQueue } from './packet-queue.js';
import { openRtspSocket, RtspConnection, SharedReads } from './rtsp-connection.js';
import { formatTransport, parseTransport } from './transport.js';
import { bindUdpPair, type UdpPair } from './udp-pair.js';

export type { ClientTrack, TrackPacket, TrackStats };

export interface RtspClientOptions {
  url: string;
  transport?: 'tcp' | 'udp';
  connectTimeoutMs?: number;
  /** Per request: a server that answers slowly or byte by byte fails here (default 10 s). */
  responseTimeoutMs?: number;
  /** After PLAY, no media for this long is a stall (default 10 s). */
  stallTimeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Local address for UDP media sockets (default 0.0.0.0). */
  udpBindAddress?: string;
  /** Extra TLS options for rtsps:// (ca, rejectUnauthorized, …). */
  tls?: ConnectionOptions;
  limits?: Partial<DecoderLimits>;
  /** Reordering of UDP packets (TCP arrives in order). */
  reorder?: ReorderOptions;
  /** Capacity of the packets() queue; older packets are dropped past it (default 2048). */
  maxQueuedPackets?: number;
  /** Receiver report interval (default 5 s, RFC 3550 §6.2 minimum). */
  rtcpIntervalMs?: number;
  /**
   * TCP: read every connection into one shared buffer instead of a new buffer per read. The
   * payloads of 'rtp' and 'rtcp' events are then valid only during the event (copy what you
   * keep), and so is the 'rtp' event's object: each track parses every packet into one reused
   * object. packets() still yields copies. For consumers that copy anyway, like depacketizers.
   */
  transientPayloads?: boolean;
  /**
   * Called with every RTP packet instead of emitting 'rtp': one consumer, no event dispatch (an
   * array and a lookup per packet, a few hundred thousand times a second in a recorder).
   */
  onRtp?: (p: TrackPacket) => void;
  /**
   * Checks the host of every connection — the first and each after a redirect — and gives the
   * address to connect to, so the address checked is the address used. Throws to refuse.
   */
  admit?: (url: URL) => Promise<string>;
}

export interface DescribeResult {
  sdp: SessionDescription;
  tracks: ClientTrack[];
  /** Aggregate control URL (PLAY, TEARDOWN). */
  url: string;
}

interface ClientEvents {
  rtp: [TrackPacket];
  rtcp: [number, RtcpPacket[]];
  error: [RtspError];
  close: [];
}

interface SetupTrack {
  receiver: TrackReceiver;
  rtpChannel?: number;
  rtcpChannel?: number;
  udp?: UdpPair;
  serverRtcpPort?: number;
}

export class RtspClient extends EventEmitter<ClientEvents> {
  /** Packets dropped because the packets() consumer fell behind. */
  get dropped(): number {
    return this.queue.dropped;
  }
  rtpInfo: RtpInfoEntry[] = [];
  private readonly opts: Required<Omit<RtspClientOptions, 'tls' | 'limits' | 'reorder' | 'onRtp' | 'admit'>> & Pick<RtspClientOptions, 'tls' | 'limits' | 'reorder' | 'onRtp' | 'admit'>;
  private iterating = false;
  private url: URL;
  private credentials: Credentials | undefined;
  private auth: ClientAuth | undefined;
  private conn: RtspConnection | undefined;
  private serverAddress = '';
  private session: string | undefined;
  private sessionTimeoutS = 60;
  private publicMethods = new Set<string>();
  private described: DescribeResult | undefined;
  private readonly setups = new Map<number, SetupTrack>();
  private readonly byChannel = new Map<number, { track: SetupTrack; rtcp: boolean }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly queue: PacketQueue<TrackPacket>;
  private readonly localSsrc = randomInt(1, 0xffffffff);
  private readonly cname = `vigil-${randomBytes(4).toString('hex')}`;
  private lastMediaAt = 0;
  private closedWith: RtspError | undefined | null = null;

  constructor(options: RtspClientOptions) {
    super();
    this.opts = {
      transport: 'tcp',
      connectTimeoutMs: 10_000,
      responseTimeoutMs: 10_000,
      stallTimeoutMs: 10_000,
      maxRedirects: 3,
      userAgent: 'Vigil',
      udpBindAddress: '0.0.0.0',
      maxQueuedPackets: 2048,
      rtcpIntervalMs: 5000,
      transientPayloads: false,
      ...options,
    };
    const { url, credentials } = credentialsFromUrl(options.url);
    this.url = url;
    this.credentials = credentials;
    this.queue = new PacketQueue(this.opts.maxQueuedPackets);
  }

  /** Statistics per set-up track. */
  get stats(): Map<number, TrackStats> {
    return new Map([...this.setups].map(([i, s]) => [i, s.receiver.stats]));
  }

  get tracks(): ClientTrack[] {
    return this.described?.tracks ?? [];
  }

  /** Shut down (closed, failed or torn down). */
  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  /** The request URL without credentials (after redirects). */
  get requestUrl(): string {
    return this.url.href;
  }

  /** Media as an async iterator over a bounded queue; a slow consumer loses the oldest packets. */
  packets(): AsyncIterableIterator<TrackPacket> {
    this.iterating = true;
    return this.queue.iterate();
  }

  /** DESCRIBE, SETUP of the chosen tracks (default: every video and audio track), PLAY. */
  async start(select?: (tracks: ClientTrack[]) => number[]): Promise<ClientTrack[]> {
    const { tracks } = await this.describe();
    const wanted = select ? select(tracks) : tracks.filter((t) => (t.kind === 'video' || t.kind === 'audio') && t.payloadType >= 0).map((t) => t.index);
    await this.setup(wanted);
    await this.play();
    return wanted.map((i) => tracks[i]!);
  }

  async describe(): Promise<DescribeResult> {
    for (let redirects = 0; ; redirects++) {
      await this.ensureConnected();
      const options = await this.request('OPTIONS', this.url.href);
      this.publicMethods = parsePublic(options.headers.get('public'));
      const res = await this.request('DESCRIBE', this.url.href, { Accept: 'application/sdp' }, true);
      if (res.statusCode === 301 || res.statusCode === 302) {
        if (redirects >= this.opts.maxRedirects) throw this.fatal(new RtspError('RTSP_REDIRECT', `more than ${this.opts.maxRedirects} redirects`));
        this.follow(res.headers.get('location'));
        continue;
      }
      this.expectOk('DESCRIBE', res);
      let sdp: SessionDescription;
      try {
        sdp = parseSdp(res.body);
      } catch (e) {
        throw e instanceof SdpError ? this.fatal(new RtspError('RTSP_MALFORMED', `DESCRIBE body: ${e.message}`)) : e;
      }
      const base = res.headers.get('content-base') ?? res.headers.get('content-location') ?? this.url.href;
      const aggregate = resolveControl(base, getAttribute(sdp.attributes, 'control'));
      const tracks = describeTracks(sdp).map((t) => ({ ...t, url: resolveControl(base, t.control) }));
      this.described = { sdp, tracks, url: aggregate };
      return this.described;
    }
  }

  async setup(trackIndexes: number[]): Promise<void> {
    const described = this.described;
    if (!described) throw new RtspError('RTSP_STATE', 'SETUP before DESCRIBE');
    if (trackIndexes.length === 0) throw new RtspError('RTSP_STATE', 'no track to set up');
    for (const index of trackIndexes) {
      const track = described.tracks[index];
      if (!track) throw new RtspError('RTSP_STATE', `no track ${index}`);
      const udp = this.opts.transport === 'udp';
      const pair = udp ? await bindUdpPair(this.opts.udpBindAddress) : undefined;
      const channel = this.setups.size * 2;
      const transport = udp
        ? formatTransport({ lower: 'UDP', clientPort: [pair!.rtpPort, pair!.rtcpPort] })
        : formatTransport({ lower: 'TCP', interleaved: [channel, channel + 1] });
      let res: RtspResponse;
      try {
        res = await this.request('SETUP', track.url, { Transport: transport });
        if (res.statusCode === 461) throw this.fatal(new RtspError('RTSP_TRANSPORT', `server refused ${udp ? 'UDP' : 'TCP'} transport`, 461));
        this.expectOk('SETUP', res);
      } catch (e) {
        pair?.close();
        throw e;
      }
      const session = parseSession(res.headers.get('session') ?? '');
      if (session) {
        this.session = session.id;
        if (session.timeout) this.sessionTimeoutS = session.timeout;
      }
      const spec = parseTransport(res.headers.get('transport') ?? '')[0];
      const receiver = new TrackReceiver(
        track,
        this.localSsrc,
        udp ? (this.opts.reorder ?? {}) : false,
        (p) => this.onPacket(p),
        (i, p) => this.emit('rtcp', i, p),
        // Transient payloads are consumed during the event: the packet objects can be too.
        !udp && this.opts.transientPayloads,
      );
      const setup: SetupTrack = { receiver };
      if (udp) {
        if (!spec?.serverPort) {
          pair!.close();
          throw this.fatal(new RtspError('RTSP_TRANSPORT', 'SETUP answer has no server_port'));
        }
        setup.udp = pair!;
        setup.serverRtcpPort = spec.serverPort[1];
        this.listenUdp(setup);
      } else {
        const [rtp, rtcp] = spec?.interleaved ?? [channel, channel + 1];
        setup.rtpChannel = rtp;
        setup.rtcpChannel = rtcp;
        this.byChannel.set(rtp, { track: setup, rtcp: false });
        this.byChannel.set(rtcp, { track: setup, rtcp: true });
      }
      this.setups.set(index, setup);
    }
  }

  async play(): Promise<void> {
    if (!this.described || this.setups.size === 0) throw new RtspError('RTSP_STATE', 'PLAY before SETUP');
    // A live stream is played from where it is, without a Range (RFC 2326 §10.5: none means
    // the current position). `Range: npt=0.000-` asks for a seek: a server sharing one live
    // pipeline between its clients (GStreamer's RTSP server does) then restarts it, and the RTP
    // timestamps of every client on that stream step back by seconds. Only a recording with an
    // end (a=range:npt=0-N) is asked to play from its start.
    const range = sessionRange(this.described.sdp);
    const onDemand = range !== undefined && !range.live && range.end !== undefined;
    const res = await this.request('PLAY', this.described.url, onDemand ? { Range: 'npt=0.000-' } : {});
    this.expectOk('PLAY', res);
    this.rtpInfo = parseRtpInfo(res.headers.get('rtp-info') ?? '');
    this.lastMediaAt = Date.now();
    this.startTimers();
  }

  /** TEARDOWN (best effort, short wait) and release every socket and timer. */
  async close(): Promise<void> {
    if (this.closedWith !== null) return;
    if (this.conn && !this.conn.isClosed && this.session && this.described) {
      const teardown = this.request('TEARDOWN', this.described.url).catch(() => undefined);
      await Promise.race([teardown, new Promise((r) => setTimeout(r, 1000))]);
    }
    this.shutdown(undefined);
  }

  private shutdown(error: RtspError | undefined): void {
    if (this.closedWith !== null) return;
    this.closedWith = error;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.conn?.close();
    for (const s of this.setups.values()) s.udp?.close();
    this.queue.end();
    // Callers of start()/describe() get the error as a rejection; 'error' is for later failures.
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close');
  }

  /** Reports a fatal error to listeners once, closes, and returns it for throwing. */
  private fatal(error: RtspError): RtspError {
    this.shutdown(error);
    return error;
  }

  private follow(location: string | undefined): void {
    if (!location) throw this.fatal(new RtspError('RTSP_REDIRECT', 'redirect without Location'));
    let next: ReturnType<typeof credentialsFromUrl>;
    try {
      next = credentialsFromUrl(new URL(location, this.url).href);
    } catch (e) {
      throw this.fatal(e instanceof RtspError ? e : new RtspError('RTSP_REDIRECT', 'unusable redirect'));
    }
    // Credentials go only to the host they were given for.
    if (next.url.host !== this.url.host) this.credentials = next.credentials;
    else if (next.credentials) this.credentials = next.credentials;
    this.auth = undefined;
    this.url = next.url;
    this.conn?.close();
    this.conn = undefined;
  }

  private async ensureConnected(): Promise<void> {
    if (this.conn && !this.conn.isClosed) return;
    let socket: Socket;
    const reads = this.opts.transientPayloads ? new SharedReads() : undefined;
    let address: string | undefined;
    try {
      address = this.opts.admit ? await this.opts.admit(this.url) : undefined;
    } catch (e) {
      this.shutdown(undefined);
      throw e;
    }
    try {
      socket = await openRtspSocket(this.url, this.opts.connectTimeoutMs, this.opts.tls, reads, address);
    } catch (e) {
      throw e instanceof RtspError ? this.fatal(e) : e;
    }
    this.serverAddress = socket.remoteAddress ?? '';
    this.conn = new RtspConnection(
      socket,
      {
        interleaved: (ch, payload) => this.onInterleaved(ch, payload, 0, payload.length),
        interleavedAt: (ch, buf, start, end) => this.onInterleaved(ch, buf, start, end),
        failed: (e) => this.shutdown(e),
      },
      this.opts.responseTimeoutMs,
      this.opts.limits,
      reads,
    );
  }

  /** Sends a request; on 401 answers the challenge once (RFC 2326 §D.1). */
  private async request(method: string, uri: string, extra: Record<string, string> = {}, allowRedirect = false): Promise<RtspResponse> {
    if (this.closedWith !== null) throw this.closedWith ?? new RtspError('RTSP_CLOSED', 'client is closed');
    let retried = false;
    for (;;) {
      const headers = new RtspHeaders({ ...extra, 'User-Agent': this.opts.userAgent });
      if (this.session) headers.set('Session', this.session);
      const authorization = this.auth?.authorize(method, uri);
      if (authorization) headers.set('Authorization', authorization);
      const res = await this.conn!.request(method, uri, headers);
      if (res.statusCode === 401) {
        if (!this.credentials) throw this.fatal(new RtspError('RTSP_AUTH', `${method} needs credentials`, 401));
        if (retried) throw this.fatal(new RtspError('RTSP_AUTH', `${method}: credentials refused`, 401));
        this.auth ??= new ClientAuth(this.credentials);
        if (!this.auth.accept(res.headers.getAll('www-authenticate'))) {
          throw this.fatal(new RtspError('RTSP_AUTH', `${method}: no supported authentication scheme offered`, 401));
        }
        retried = true;
        continue;
      }
      if (!allowRedirect && (res.statusCode === 301 || res.statusCode === 302) && method !== 'OPTIONS') {
        throw this.fatal(new RtspError('RTSP_REDIRECT', `${method} redirected outside DESCRIBE`, res.statusCode));
      }
      return res;
    }
  }

  private expectOk(method: string, res: RtspResponse): void {
    if (res.statusCode >= 200 && res.statusCode < 300) return;
    throw this.fatal(new RtspError('RTSP_STATUS', `${method} failed: ${res.statusCode} ${res.reason}`, res.statusCode));
  }

  private listenUdp(setup: SetupTrack): void {
    const { rtp, rtcp } = setup.udp!;
    // Only the server we talk to may feed this session; anything else on the port is dropped.
    const fromServer = (address: string) => address === this.serverAddress || address === `::ffff:${this.serverAddress}` || `::ffff:${address}` === this.serverAddress;
    const onError = (e: Error) => this.shutdown(new RtspError('RTSP_TRANSPORT', `UDP socket: ${e.message}`));
    rtp.on('error', onError);
    rtcp.on('error', onError);
    rtp.on('message', (msg, rinfo) => {
      if (!fromServer(rinfo.address)) return;
      this.lastMediaAt = Date.now();
      setup.receiver.onRtp(msg, this.lastMediaAt);
    });
    rtcp.on('message', (msg, rinfo) => {
      if (!fromServer(rinfo.address)) return;
      setup.receiver.onRtcp(msg, Date.now());
    });
  }

  /** The interleaved frame buf[start, end) on `channel`. */
  private onInterleaved(channel: number, buf: Buffer, start: number, end: number): void {
    const hit = this.byChannel.get(channel);
    if (!hit) return;
    // The time the connection read these bytes: one clock read per read, not per packet.
    const now = this.conn?.lastReceivedAt ?? Date.now();
    if (hit.rtcp) {
      hit.track.receiver.onRtcp(buf.subarray(start, end), now);
    } else {
      this.lastMediaAt = now;
      hit.track.receiver.onRtpAt(buf, start, end, now);
    }
  }

  private onPacket(p: TrackPacket): void {
    const direct = this.opts.onRtp;
    if (direct) direct(p);
    else this.emit('rtp', p);
    if (!this.iterating) return;
    if (!this.opts.transientPayloads) return this.queue.push(p);
    this.queue.push({ track: p.track, packet: copyRtpPacket(p.packet), receivedAt: p.receivedAt, wallClockMs: p.wallClockMs });
  }

  private startTimers(): void {
    const keepAliveMs = Math.max(1000, (this.sessionTimeoutS * 1000) / 2);
    const method = this.publicMethods.has('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
    this.timers.push(
      setInterval(() => {
        if (!this.described) return;
        this.request(method, method === 'OPTIONS' ? this.url.href : this.described.url).catch(() => undefined);
      }, keepAliveMs),
      setInterval(() => this.sendReports(), this.opts.rtcpIntervalMs),
      setInterval(() => {
        const now = Date.now();
        for (const s of this.setups.values()) s.receiver.poll(now);
        if (now - this.lastMediaAt > this.opts.stallTimeoutMs) {
          this.shutdown(new RtspError('RTSP_STALL', `no media for ${this.opts.stallTimeoutMs} ms`));
        }
      }, Math.min(1000, this.opts.stallTimeoutMs / 2)),
    );
    // Tell UDP servers (and NATs) where we are, then report regularly.
    this.sendReports();
  }

  private sendReports(): void {
    const now = Date.now();
    for (const s of this.setups.values()) {
      const report = s.receiver.receiverReport(now, this.cname);
      if (!report) continue;
      if (s.udp) s.udp.rtcp.send(report, s.serverRtcpPort!, this.serverAddress.replace(/^::ffff:/, ''));
      else if (s.rtcpChannel !== undefined) this.conn?.sendInterleaved(s.rtcpChannel, report);
    }
  }
}
