// One RTSP session on the server (RFC 2326 §3.4, §12.37): where each of its tracks goes and how
// much it was sent and dropped. Sending never waits: a congested viewer loses packets instead.
import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { interleavedHeader } from './message.js';

export type SessionTarget =
  | { kind: 'tcp'; rtpChannel: number; rtcpChannel: number }
  | { kind: 'udp'; address: string; rtpPort: number; rtcpPort: number };

export interface SessionCounters {
  sent: number;
  dropped: number;
}

export class ServerSession {
  readonly targets = new Map<number, SessionTarget>();
  readonly counters: SessionCounters = { sent: 0, dropped: 0 };
  playing = false;
  lastSeen = Date.now();

  constructor(
    readonly id: string,
    readonly mountPath: string,
    readonly transport: 'tcp' | 'udp',
    /** The control connection; TCP sessions also carry their media on it. */
    readonly socket: Socket,
    private readonly udp: { rtp: UdpSocket; rtcp: UdpSocket } | undefined,
    private readonly maxBufferedBytes: number,
  ) {}

  /** Sends one RTP (or RTCP) packet of a track; the buffer is shared, never copied. */
  send(track: number, packet: Buffer, rtcp = false): void {
    const target = this.targets.get(track);
    if (!target) return;
    if (target.kind === 'udp') {
      const socket = rtcp ? this.udp!.rtcp : this.udp!.rtp;
      socket.send(packet, rtcp ? target.rtcpPort : target.rtpPort, target.address);
      this.counters.sent++;
      return;
    }
    if (packet.length > 0xffff) return;
    // A viewer that does not read must not hold memory for everyone else: past the cap, drop.
    if (this.socket.destroyed || this.socket.writableLength > this.maxBufferedBytes) {
      this.counters.dropped++;
      return;
    }
    this.socket.cork();
    this.socket.write(interleavedHeader(rtcp ? target.rtcpChannel : target.rtpChannel, packet.length));
    this.socket.write(packet);
    this.socket.uncork();
    this.counters.sent++;
  }
}
