// A live H.264 RTP source for RTSP server tests: ffmpeg encodes a short test pattern to Annex B,
// and a minimal RFC 6184 packetizer (single NAL units and FU-A) replays it in real time.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serializeRtpPacket } from '../../src/media/rtp/rtp-packet.js';
import { buildSdp } from '../../src/media/sdp/sdp-builder.js';

const run = promisify(execFile);

export async function encodeH264Clip(width: number, height: number, fps: number, seconds: number): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}`, '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(fps), '-bf', '0',
      '-x264-params', 'aud=1', '-f', 'h264', '-'],
    { encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  return stdout;
}

export function splitAnnexB(stream: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let start = -1;
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      if (start >= 0) nals.push(trimZeros(stream.subarray(start, i)));
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0) nals.push(stream.subarray(start));
  return nals.filter((n) => n.length > 0);
}

function trimZeros(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

/** Groups NAL units into access units, each starting at an access unit delimiter (type 9). */
export function accessUnits(nals: Buffer[]): Buffer[][] {
  const units: Buffer[][] = [];
  for (const nal of nals) {
    if ((nal[0]! & 0x1f) === 9 || units.length === 0) units.push([]);
    if ((nal[0]! & 0x1f) !== 9) units[units.length - 1]!.push(nal);
  }
  return units.filter((u) => u.length > 0);
}

/** RTP packets of one access unit: single NAL units, or FU-A fragments past `mtu`. */
export function packetizeAccessUnit(au: Buffer[], first: { seq: number; timestamp: number; ssrc: number }, mtu = 1200): Buffer[] {
  const out: Buffer[] = [];
  let seq = first.seq;
  const packet = (payload: Buffer, marker: boolean) =>
    serializeRtpPacket({ marker, payloadType: 96, sequenceNumber: seq++ & 0xffff, timestamp: first.timestamp, ssrc: first.ssrc, csrc: [], paddingLength: 0, payload });
  au.forEach((nal, n) => {
    const last = n === au.length - 1;
    if (nal.length <= mtu) {
      out.push(packet(nal, last));
      return;
    }
    const indicator = (nal[0]! & 0xe0) | 28;
    const type = nal[0]! & 0x1f;
    for (let o = 1; o < nal.length; o += mtu) {
      const chunk = nal.subarray(o, Math.min(nal.length, o + mtu));
      const end = o + mtu >= nal.length;
      const header = Buffer.from([indicator, (o === 1 ? 0x80 : 0) | (end ? 0x40 : 0) | type]);
      out.push(packet(Buffer.concat([header, chunk]), last && end));
    }
  });
  return out;
}

/** Replays an encoded clip as a live source: sdp() for the server, start(push)/stop(). */
export class H264ClipSource {
  readonly sps: Buffer;
  readonly pps: Buffer;
  private readonly units: Buffer[][];
  private timer: NodeJS.Timeout | undefined;
  private seq = 1000;
  private timestamp = 123_456;
  private index = 0;
  readonly ssrc = 0x1234abcd;

  constructor(
    clip: Buffer,
    private readonly fps: number,
  ) {
    const nals = splitAnnexB(clip);
    this.sps = nals.find((n) => (n[0]! & 0x1f) === 7)!;
    this.pps = nals.find((n) => (n[0]! & 0x1f) === 8)!;
    this.units = accessUnits(nals);
  }

  sdp(): string {
    return buildSdp({
      sessionName: 'test pattern',
      tracks: [{
        kind: 'video', payloadType: 96, encoding: 'H264', clockRate: 90000, control: 'video',
        fmtp: {
          'packetization-mode': '1',
          'profile-level-id': this.sps.subarray(1, 4).toString('hex'),
          'sprop-parameter-sets': `${this.sps.toString('base64')},${this.pps.toString('base64')}`,
        },
      }],
    });
  }

  /** Pushes one access unit per frame interval, looping the clip. */
  start(push: (packet: Buffer) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const au = this.units[this.index]!;
      this.index = (this.index + 1) % this.units.length;
      const packets = packetizeAccessUnit(au, { seq: this.seq, timestamp: this.timestamp, ssrc: this.ssrc });
      this.seq = (this.seq + packets.length) & 0xffff;
      this.timestamp = (this.timestamp + 90000 / this.fps) >>> 0;
      for (const p of packets) push(p);
    }, 1000 / this.fps);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
