// SIP over UDP and TCP on one port (RFC 3261 §18): a datagram is one message; a TCP stream is
// framed by Content-Length. Responses go back where the request came from (§18.2.2 with RFC 3581
// rport: the source address and port, over the same connection for TCP), which is what devices
// behind NAT need. Bytes that are not SIP are counted and reported, never thrown.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { EventEmitter } from 'node:events';
import { createConnection, createServer, isIP, type Server, type Socket } from 'node:net';
import { SipError } from './errors.js';
import { parseDatagram, SipStreamDecoder, type SipLimits } from './decoder.js';
import { serializeMessage, type SipMessage } from './message.js';

export type SipTransportName = 'UDP' | 'TCP';

export interface Remote {
  transport: SipTransportName;
  address: string;
  port: number;
}

export function remoteKey(r: Remote): string {
  return `${r.transport}:${r.address}:${r.port}`;
}

export interface SipTransportOptions {
  host?: string;
  /** 0 picks a free port (used for both UDP and TCP). */
  port?: number;
  udp?: boolean;
  tcp?: boolean;
  limits?: Partial<SipLimits>;
  /** Most TCP connections held at once; more are refused (default 10,000). */
  maxConnections?: number;
  /** A TCP connection with no message for this long is closed (default 10 minutes). */
  idleTimeoutMs?: number;
}

export interface SipTransportEvents {
  message: [message: SipMessage, remote: Remote];
  /** A datagram or stream that is not SIP; a TCP connection is closed after it. */
  malformed: [error: SipError, remote: Remote];
  error: [error: Error];
}

export class SipTransport extends EventEmitter<SipTransportEvents> {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Map<string, Socket>();
  private readonly pendingConnects = new Map<string, Promise<Socket>>();
  private boundPort = 0;
  private boundHost = '0.0.0.0';
  /** Messages that could not be parsed, by transport. */
  readonly dropped = { UDP: 0, TCP: 0 };

  constructor(private readonly options: SipTransportOptions = {}) {
    super();
  }

  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.boundHost;
  }

  /**
   * Binds TCP and UDP on one port. With port 0 the system picks the TCP port, and that number can
   * already be someone's UDP port (a busy machine, a thousand simulated devices): then both are
   * released and another port is picked, a few times, before the error is given.
   */
  async listen(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listenOnce();
      } catch (e) {
        const taken = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!taken || (this.options.port ?? 0) !== 0 || attempt >= 5) throw e;
        await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
        this.tcp = undefined;
      }
    }
  }

  private async listenOnce(): Promise<number> {
    const host = this.options.host ?? '0.0.0.0';
    this.boundHost = host;
    let port = this.options.port ?? 0;
    if (this.options.tcp ?? true) {
      const server = createServer((s) => this.adopt(s));
      server.maxConnections = this.options.maxConnections ?? 10_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      server.on('error', (e) => this.emit('error', e));
      port = (server.address() as { port: number }).port;
      this.tcp = server;
    }
    if (this.options.udp ?? true) {
      const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 1 << 20, lookup: literalFirstLookup });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', (e) => {
          try {
            sock.close();
          } catch {
            // never bound
          }
          reject(e);
        });
        sock.bind(port, host, () => resolve());
      });
      sock.on('error', (e) => this.emit('error', e));
      sock.on('message', (data, rinfo) => this.onDatagram(data, { transport: 'UDP', address: rinfo.address, port: rinfo.port }));
      port = sock.address().port;
      this.udp = sock;
    }
    this.boundPort = port;
    return port;
  }

  private onDatagram(data: Buffer, remote: Remote): void {
    // RFC 5626 §4.4.1 keep-alive: a bare CRLF (or CRLFCRLF) — nothing to parse.
    if (data.length <= 4 && /^[\r\n]*$/.test(data.toString('latin1'))) return;
    let message: SipMessage;
    try {
      message = parseDatagram(data, this.options.limits);
    } catch (e) {
      this.dropped.UDP++;
      this.emit('malformed', e instanceof SipError ? e : new SipError('SIP_MALFORMED', String(e)), remote);
      return;
    }
    this.emit('message', message, remote);
  }

  private adopt(socket: Socket, knownRemote?: Remote): void {
    const remote: Remote = knownRemote ?? { transport: 'TCP', address: normaliseAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    const key = remoteKey(remote);
    this.connections.set(key, socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs ?? 600_000, () => socket.destroy());
    const decoder = new SipStreamDecoder((m) => this.emit('message', m, remote), this.options.limits);
    socket.on('data', (chunk) => {
      try {
        decoder.push(chunk);
      } catch (e) {
        this.dropped.TCP++;
        this.emit('malformed', e instanceof SipError ? e : new SipError('SIP_MALFORMED', String(e)), remote);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.connections.get(key) === socket) this.connections.delete(key);
    });
  }

  private async connection(remote: Remote): Promise<Socket> {
    const key = remoteKey(remote);
    const open = this.connections.get(key);
    if (open && !open.destroyed) return open;
    let pending = this.pendingConnects.get(key);
    if (!pending) {
      pending = new Promise<Socket>((resolve, reject) => {
        const s = createConnection({ host: remote.address, port: remote.port });
        s.once('connect', () => {
          this.adopt(s, remote);
          resolve(s);
        });
        s.once('error', (e) => reject(new SipError('SIP_TRANSPORT', `cannot connect to ${remote.address}:${remote.port}: ${e.message}`)));
      }).finally(() => this.pendingConnects.delete(key));
      this.pendingConnects.set(key, pending);
    }
    return pending;
  }

  /** Sends a message; a TCP send reuses the remote's connection or opens one. */
  async send(message: SipMessage, remote: Remote): Promise<void> {
    const bytes = serializeMessage(message);
    if (remote.transport === 'UDP') {
      const udp = this.udp;
      if (!udp) throw new SipError('SIP_TRANSPORT', 'UDP is not enabled');
      await new Promise<void>((resolve, reject) =>
        udp.send(bytes, remote.port, remote.address, (e) => (e ? reject(new SipError('SIP_TRANSPORT', e.message)) : resolve())),
      );
      return;
    }
    const socket = await this.connection(remote);
    if (socket.destroyed) throw new SipError('SIP_TRANSPORT', `connection to ${remote.address}:${remote.port} closed`);
    socket.write(bytes);
  }

  async close(): Promise<void> {
    for (const s of this.connections.values()) s.destroy();
    this.connections.clear();
    await Promise.all([
      this.tcp ? new Promise<void>((r) => this.tcp!.close(() => r())) : undefined,
      this.udp ? new Promise<void>((r) => this.udp!.close(() => r())) : undefined,
    ]);
    this.tcp = undefined;
    this.udp = undefined;
  }
}

function normaliseAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The UDP socket's name lookup: an address that is already an IP (every remote we answer or
 * query: the source of a datagram, a registered device's address) is handed back at once, without
 * dns.lookup and the tick it defers each send by; a name still goes through dns.lookup. A burst of
 * registrations is several sends a device, and this was a measurable part of each (see bench:gb).
 */
function literalFirstLookup(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) return callback(null, hostname, family);
  // dgram passes the socket's family (a number), which dns.lookup takes as its options.
  dnsLookup(hostname, options, callback);
}
