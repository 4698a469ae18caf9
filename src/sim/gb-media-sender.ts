// The media of one INVITE a simulated GB/T 28181 device answered: the channel's encoded pictures
// muxed into PS (GB/T 28181 §C.2) and sent as RTP with the session's y= SSRC, over UDP, over TCP
// to the platform (it offered setup:passive) or over TCP from a port of ours that the platform
// connects to (it offered setup:active), RFC 4571 framing on TCP. Starts at the next keyframe.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { muxPsFrame, RtpPsPacketizer } from '../media/ps/ps-muxer.js';
import { frameRfc4571 } from '../media/ps/rfc4571.js';
import type { EncodedFrame } from './encoder.js';

/** Where pictures come from: the simulator's shared encoders fit. */
export interface FrameFeed {
  subscribe(listener: (frame: EncodedFrame) => void): () => void;
  /** The pictures' codec (default H.264), written into the PS stream map. */
  readonly codec?: 'h264' | 'h265';
  /**
   * Asks for an IDR as the next picture (a device's IFameCmd); false when it cannot be honoured
   * now. A feed without it (one shared encoder) sends its next keyframe when its GOP comes round.
   */
  requestKeyframe?(): boolean;
}

export type SenderMode = 'udp' | 'tcp-active' | 'tcp-passive';

export class GbMediaSender {
  framesSent = 0;
  packetsSent = 0;
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private server: Server | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly rtp: RtpPsPacketizer;
  private started = false;
  private paused = false;
  private closed = false;
  private firstIndex: number | undefined;
  private waitKey = true;
  private limit: { frames: number; done: () => void } | undefined;

  /**
   * `mode` is this device's side: `tcp-active` connects to the platform's address, `tcp-passive`
   * listens (call `listen()` before answering to learn the port).
   */
  constructor(
    private readonly feed: FrameFeed,
    private readonly mode: SenderMode,
    private readonly target: { address: string; port: number },
    ssrc: number,
    private readonly host = '127.0.0.1',
  ) {
    this.rtp = new RtpPsPacketizer(ssrc);
  }

  /** tcp-passive: the port the platform is to connect to; otherwise 0 (our UDP source port is any). */
  async listen(): Promise<number> {
    if (this.mode !== 'tcp-passive') return 0;
    const server = createServer((s) => {
      this.tcp?.destroy();
      this.tcp = s;
      s.on('error', () => undefined);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.host, () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  /** After the ACK: connect if ours to do, and send from the next keyframe on. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.mode === 'udp') {
      this.udp = createSocket('udp4');
      this.udp.on('error', () => undefined);
    } else if (this.mode === 'tcp-active') {
      const s = createConnection({ host: this.target.address, port: this.target.port });
      s.on('error', () => undefined);
      s.setNoDelay(true);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('error', reject);
      });
      this.tcp = s;
    }
    this.unsubscribe = this.feed.subscribe((f) => this.send(f));
  }

  /** Stops sending without hanging up (a stalled device); `resume` goes on at the next keyframe. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.waitKey = true;
  }

  private send(f: EncodedFrame): void {
    if (this.closed || this.paused) return;
    if (this.waitKey) {
      if (!f.keyframe) return;
      this.waitKey = false;
    }
    this.firstIndex ??= f.index;
    // 90 kHz time from the encoder's frame count, as a device's capture clock: it runs on through a pause.
    const pts = (f.index - this.firstIndex) * 3600;
    const packets = this.rtp.packetize(muxPsFrame({ codec: this.feed.codec ?? 'h264', nalus: f.nalus, keyframe: f.keyframe, pts90k: pts }), pts);
    if (this.udp) for (const p of packets) this.udp.send(p, this.target.port, this.target.address);
    else if (this.tcp && !this.tcp.destroyed) this.tcp.write(Buffer.concat(packets.map(frameRfc4571)));
    else return;
    this.framesSent++;
    this.packetsSent += packets.length;
    if (this.limit && this.framesSent >= this.limit.frames) {
      const { done } = this.limit;
      this.limit = undefined;
      this.paused = true;
      done();
    }
  }

  /** Download: stop after `frames` more pictures have gone out and call `done` (the range is sent). */
  stopAfter(frames: number, done: () => void): void {
    this.limit = { frames: this.framesSent + frames, done };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.udp?.close();
    this.tcp?.destroy();
    this.server?.close();
  }
}
