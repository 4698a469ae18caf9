// One ffmpeg process encoding one kind of picture in real time, shared by every camera that
// shows it. Its Annex-B output is cut into access units and packetized into RTP payloads once
// (RFC 6184 mode 1); cameras only prepend their own 12-byte RTP headers.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { packetizeH264 } from '../media/h264/packetizer.js';
import { H264Nal, h264NalType } from '../media/h264/nal.js';
import { AccessUnitSplitter } from '../media/h264/access-unit-splitter.js';
import { SimError } from './errors.js';
import { pictureGraph, type PictureKind, type PictureOptions } from './picture.js';

export interface EncodedFrame {
  /** Frames since this encoder (re)started. */
  index: number;
  keyframe: boolean;
  /** The access unit's NAL units (no delimiter), for senders that packetize otherwise (PS for GB/T 28181). */
  nalus: Buffer[];
  /** RTP payloads of the access unit in order; the last one gets the marker bit. */
  payloads: Buffer[];
  /** Sum of payload lengths. */
  bytes: number;
  receivedAt: number;
}

export interface EncoderOptions extends PictureOptions {
  kind: PictureKind;
  bitrateKbps: number;
  /** Keyframe interval in frames. */
  gop: number;
  /**
   * Every frame an IDR (x264 forced keyframes, its settings otherwise the same, so the same
   * parameter sets): the all-intra encoder behind keyframes on demand (keyframe-on-demand.ts).
   */
  everyFrameKey?: boolean;
  maxPayload?: number;
  ffmpegPath?: string;
  /** Called with ffmpeg's stderr lines and restarts, for logging. */
  log?: (message: string) => void;
}

export type FrameListener = (frame: EncodedFrame) => void;

export class SharedEncoder {
  sps: Buffer | undefined;
  pps: Buffer | undefined;
  frames = 0;
  restarts = 0;
  /** The last frame encoded (undefined until the first, and again once stopped). */
  latest: EncodedFrame | undefined;
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private readonly listeners = new Set<FrameListener>();
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly firstFrameWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(readonly options: EncoderOptions) {}

  get kind(): PictureKind {
    return this.options.kind;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  start(): void {
    if (this.child || this.closed) return;
    const o = this.options;
    const args = [
      '-nostdin', '-hide_banner', '-loglevel', 'error',
      '-f', 'lavfi', '-i', pictureGraph(o.kind, o),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
      '-b:v', `${o.bitrateKbps}k`, '-maxrate', `${o.bitrateKbps}k`, '-bufsize', `${Math.round(o.bitrateKbps / 2)}k`,
      '-g', String(o.gop), '-keyint_min', String(o.gop), '-bf', '0',
      ...(o.everyFrameKey ? ['-force_key_frames', 'expr:1'] : []),
      // aud=1: a delimiter before each picture tells the splitter where access units end.
      '-x264-params', 'aud=1:repeat-headers=1',
      '-flush_packets', '1', '-f', 'h264', '-',
    ];
    const child = spawn(o.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const splitter = new AccessUnitSplitter();
    let index = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const nalus of splitter.push(chunk)) this.emit(nalus, index++);
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-2000);
    });
    child.on('error', (e) => this.failWaiters(new SimError('SIM_ENCODER', `cannot run ffmpeg: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.closed || signal === 'SIGTERM') return;
      o.log?.(`${o.kind} encoder exited (${code ?? signal}): ${stderr.trim().split('\n').pop() ?? ''}`);
      if (this.frames === 0) this.failWaiters(new SimError('SIM_ENCODER', `ffmpeg exited before the first frame: ${stderr.trim()}`));
      // A shared encoder that died takes every camera with it: restart it, with a pause.
      this.restarts++;
      this.restartTimer = setTimeout(() => {
        if (this.listeners.size > 0 || this.kind === 'live') this.start();
      }, Math.min(5000, 250 * 2 ** Math.min(this.restarts, 5)));
    });
  }

  /** Resolves when a frame with parameter sets has been encoded (the SDP needs them). */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.sps && this.pps) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SimError('SIM_ENCODER', `no ${this.kind} picture within ${timeoutMs} ms`)), timeoutMs);
      this.firstFrameWaiters.push({
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  stop(): void {
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    this.latest = undefined;
    child?.kill('SIGTERM');
  }

  close(): void {
    this.closed = true;
    this.stop();
    this.listeners.clear();
    this.failWaiters(new SimError('SIM_CLOSED', 'the simulator was closed'));
  }

  private emit(nalus: Buffer[], index: number): void {
    let keyframe = false;
    for (const n of nalus) {
      const type = h264NalType(n);
      if (type === H264Nal.SPS) this.sps = n;
      else if (type === H264Nal.PPS) this.pps = n;
      else if (type === H264Nal.IDR) keyframe = true;
    }
    const payloads = packetizeH264(nalus, { maxPayload: this.options.maxPayload ?? 1400 });
    if (payloads.length === 0) return;
    let bytes = 0;
    for (const p of payloads) bytes += p.length;
    this.frames++;
    if (this.sps && this.pps && this.firstFrameWaiters.length) for (const w of this.firstFrameWaiters.splice(0)) w.resolve();
    const frame: EncodedFrame = { index, keyframe, nalus, payloads, bytes, receivedAt: Date.now() };
    this.latest = frame;
    for (const l of this.listeners) l(frame);
  }

  private failWaiters(e: Error): void {
    for (const w of this.firstFrameWaiters.splice(0)) w.reject(e);
  }
}
