// Where the RTP packets of one upward stream go (GB/T 28181-2016 §C, RFC 4571, RFC 4145):
// - UDP: to the address and port of the upper's SDP offer;
// - TCP, the upper listens (its offer says a=setup:passive): we connect to that port (we are active);
// - TCP, the upper connects (a=setup:active): we listen on a port of our own, named in our answer
//   with a=setup:passive, and send on the first connection from the upper's address.
// Over TCP every packet goes behind its 16-bit length (RFC 4571). A TCP peer that does not read
// makes the sink `congested`; the stream then skips pictures until the next keyframe instead of
// holding the whole feed in memory.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { frameRfc4571 } from '../media/ps/rfc4571.js';
import type { RtpPsUnit } from '../media/ps/ps-rtp-writer.js';

export type SinkTransport = 'udp' | 'tcp-active' | 'tcp-passive';

export interface SinkTarget {
  /** The upper's media address and port (for tcp-passive only the address is used, to admit it). */
  address: string;
  port: number;
  /** `tcp-active`: we connect; `tcp-passive`: we listen. */
  transport: SinkTransport;
}

/** Bytes queued on a TCP socket past which pictures are skipped until the next keyframe. */
const TCP_HIGH_WATER = 4 << 20;

export class MediaSink {
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  private tcp: Socket | undefined;
  private closed = false;
  /** Set when the TCP connection closed or failed: the stream should end. */
  onGone: ((reason: string) => void) | undefined;

  constructor(
    readonly target: SinkTarget,
    private readonly bindHost: string,
  ) {}

  private udpConnected = false;

  /** Binds what our answer names: the UDP sending socket, or the TCP port we listen on. */
  async bind(): Promise<number> {
    if (this.target.transport === 'udp') {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, this.bindHost, () => resolve());
      });
      socket.on('error', () => undefined);
      // Connected to the upper's media address, so each packet is sent with no address to look up
      // (the unconnected send resolves it for every packet, a large share of forwarding's CPU).
      this.udpConnected = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.connect(this.target.port, this.target.address, () => resolve(true));
      });
      this.udp = socket;
      return socket.address().port;
    }
    if (this.target.transport === 'tcp-passive') {
      const server = createServer((s) => this.adopt(s));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, this.bindHost, () => resolve());
      });
      server.on('error', () => undefined);
      this.server = server;
      const a = server.address();
      return typeof a === 'object' && a ? a.port : 0;
    }
    // Active: the port our side connects from is not known yet and not asked for; 9 is the discard port RFC 4145 §4 suggests.
    return 9;
  }

  /** Starts the media path (on the ACK): connects when we are the active side. */
  async open(): Promise<void> {
    if (this.closed || this.target.transport !== 'tcp-active') return;
    const s = await new Promise<Socket>((resolve, reject) => {
      const c = createConnection({ host: this.target.address, port: this.target.port }, () => resolve(c));
      c.once('error', reject);
    });
    if (this.closed) {
      s.destroy();
      return;
    }
    this.adopt(s);
  }

  private adopt(s: Socket): void {
    // Only the first connection, and only from the upper's media address, gets the stream.
    if (this.closed || this.tcp || (this.target.transport === 'tcp-passive' && !sameHost(s.remoteAddress, this.target.address))) {
      s.destroy();
      return;
    }
    s.setNoDelay(true);
    this.tcp = s;
    s.on('error', () => undefined);
    s.on('close', () => {
      if (!this.closed) this.onGone?.('the upper closed the TCP media connection');
    });
    s.on('data', () => undefined);
    this.server?.close();
  }

  /** Whether packets can go out now (a TCP peer connected). */
  get ready(): boolean {
    return this.target.transport === 'udp' ? !!this.udp : !!this.tcp && !this.tcp.destroyed;
  }

  /**
   * Whether every byte handed to the socket has gone to the kernel (nothing queued in Node or
   * libuv), so the buffer they were in may be written over. A write Node could finish at once
   * leaves nothing queued.
   */
  get drained(): boolean {
    if (this.udp) return this.udp.getSendQueueCount() === 0;
    return !!this.tcp && this.tcp.writableLength === 0;
  }

  get congested(): boolean {
    return !!this.tcp && this.tcp.writableLength > TCP_HIGH_WATER;
  }

  /**
   * One access unit (ps-rtp-writer.ts): a datagram per packet over UDP (Node has no sendmmsg; a
   * connected socket sends each with no address to resolve), one write of the unit's RFC 4571
   * stream over TCP (the writer framed it so).
   */
  sendUnit(unit: RtpPsUnit): void {
    if (this.closed) return;
    if (this.udp) {
      if (this.udpConnected) for (const pkt of unit.packets) this.udp.send(pkt);
      else for (const pkt of unit.packets) this.udp.send(pkt, this.target.port, this.target.address);
    } else if (this.tcp && !this.tcp.destroyed) this.tcp.write(unit.buffer);
  }

  send(pkt: Buffer): void {
    if (this.closed) return;
    if (this.udp) {
      if (this.udpConnected) this.udp.send(pkt);
      else this.udp.send(pkt, this.target.port, this.target.address);
    }
    else if (this.tcp && !this.tcp.destroyed) this.tcp.write(frameRfc4571(pkt));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp?.close();
    this.tcp?.end();
    setTimeout(() => this.tcp?.destroy(), 1000).unref();
    this.server?.close();
  }
}

function sameHost(a: string | undefined, b: string): boolean {
  const strip = (x: string) => x.replace(/^::ffff:/, '');
  return !!a && strip(a) === strip(b);
}
