// Where devices send media: one UDP port and one TCP port (passive: devices connect) from the
// configured range, shared by every session and told apart by SSRC (the y= of each INVITE).
// Packets of an SSRC no session expects are counted and dropped; a TCP connection is bound to the
// session of its first packet's SSRC. Active TCP (we connect to the device) is `connectActive`.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Rfc4571Decoder } from '../media/ps/rfc4571.js';

export type PacketSink = (pkt: Buffer) => void;

export class MediaReceiver {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly sinks = new Map<number, PacketSink>();
  private readonly sockets = new Set<Socket>();
  port = 0;
  readonly stats = { unknownSsrc: 0, malformed: 0 };

  constructor(private readonly options: { host: string; portMin: number; portMax: number }) {}

  async start(): Promise<number> {
    for (let p = this.options.portMin; p <= this.options.portMax; p++) {
      try {
        await this.bind(p);
        this.port = p;
        return p;
      } catch {
        await this.release();
      }
    }
    throw new Error(`no free media port in ${this.options.portMin}–${this.options.portMax}`);
  }

  private async bind(port: number): Promise<void> {
    const udp = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    this.udp = udp;
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, this.options.host, () => resolve());
    });
    udp.on('error', () => undefined);
    udp.on('message', (pkt) => this.route(pkt));
    const tcp = createServer((s) => this.adopt(s));
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, this.options.host, () => resolve());
    });
  }

  private route(pkt: Buffer): PacketSink | undefined {
    if (pkt.length < 12) {
      this.stats.malformed++;
      return undefined;
    }
    const sink = this.sinks.get(pkt.readUInt32BE(8));
    if (!sink) {
      this.stats.unknownSsrc++;
      return undefined;
    }
    sink(pkt);
    return sink;
  }

  private adopt(s: Socket): void {
    this.sockets.add(s);
    let bound: PacketSink | undefined;
    const framer = new Rfc4571Decoder((pkt) => {
      if (bound) bound(pkt);
      else bound = this.route(pkt);
    });
    s.on('data', (d) => framer.push(d));
    s.on('error', () => undefined);
    s.on('close', () => this.sockets.delete(s));
  }

  /** a=setup:active: the platform connects to the device's port from its 200 OK. */
  connectActive(address: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host: address, port }, () => {
        this.adopt(s);
        resolve(s);
      });
      s.once('error', reject);
    });
  }

  expect(ssrc: number, sink: PacketSink): void {
    this.sinks.set(ssrc >>> 0, sink);
  }

  /** The device answered with another y=: move the session to it. */
  rebind(from: number, to: number): void {
    const sink = this.sinks.get(from);
    if (!sink) return;
    this.sinks.delete(from);
    this.sinks.set(to >>> 0, sink);
  }

  forget(ssrc: number): void {
    this.sinks.delete(ssrc >>> 0);
  }

  private async release(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    if (udp) await new Promise<void>((r) => {
      try {
        udp.close(() => r());
      } catch {
        r(); // never bound
      }
    });
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await this.release();
  }
}
