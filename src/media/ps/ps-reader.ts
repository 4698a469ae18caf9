// A program stream in, frames out: the demuxer's PES payloads routed by stream — video through
// the access-unit assembler (codec from the PSM or sniffed), audio as one frame per PES
// (G.711 samples, or AAC split at its ADTS headers). Streams we cannot decode are counted.
import { PsDemuxer, type PesPayload } from './demuxer.js';
import { STREAM_TYPE } from './pes.js';
import { sniffVideoCodec, VideoAssembler, type PsAccessUnit, type PsVideoCodec } from './video-assembler.js';

export type PsAudioCodec = 'pcma' | 'pcmu' | 'aac';

export interface PsAudioFrame {
  codec: PsAudioCodec;
  /** 90 kHz. */
  pts: number;
  /** G.711: samples; AAC: one raw access unit (ADTS header removed). */
  data: Buffer;
  /** AAC: from the ADTS header. */
  sampleRate?: number;
  channels?: number;
}

export interface PsReaderHandlers {
  video(unit: PsAccessUnit): void;
  audio?(frame: PsAudioFrame): void;
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export class PsReader {
  private readonly demuxer: PsDemuxer;
  private video: VideoAssembler | undefined;
  private videoId: number | undefined;
  /** PES of streams we do not decode (SVAC, MPEG audio, a second video). */
  unsupportedPes = 0;

  constructor(private readonly handlers: PsReaderHandlers) {
    this.demuxer = new PsDemuxer((p) => this.onPes(p));
  }

  get stats() {
    return { ...this.demuxer.stats, unsupportedPes: this.unsupportedPes };
  }

  get videoCodec(): PsVideoCodec | undefined {
    return this.video?.codec;
  }

  push(chunk: Buffer): void {
    this.demuxer.push(chunk);
  }

  /** Sender says the frame is complete (RTP marker): hand out the picture without waiting for the next. */
  endOfFrame(): void {
    this.video?.flush();
  }

  flush(): void {
    this.demuxer.flush();
    this.video?.flush();
  }

  private onPes(p: PesPayload): void {
    if (p.streamId >= 0xe0 && p.streamId <= 0xef) {
      if (this.videoId !== undefined && p.streamId !== this.videoId) {
        this.unsupportedPes++;
        return;
      }
      if (!this.video) {
        const codec = p.streamType === STREAM_TYPE.h264 ? 'h264' : p.streamType === STREAM_TYPE.h265 ? 'h265' : p.streamType === undefined ? sniffVideoCodec(p.data) : undefined;
        if (!codec) {
          this.unsupportedPes++;
          return;
        }
        this.videoId = p.streamId;
        this.video = new VideoAssembler(codec, (u) => this.handlers.video(u));
      }
      this.video.push(p.data, p.pts, p.dts);
      return;
    }
    if (p.streamId >= 0xc0 && p.streamId <= 0xdf && this.handlers.audio) {
      const t = p.streamType;
      if (t === STREAM_TYPE.pcma || t === STREAM_TYPE.pcmu) {
        this.handlers.audio({ codec: t === STREAM_TYPE.pcma ? 'pcma' : 'pcmu', pts: p.pts ?? 0, data: Buffer.from(p.data) });
        return;
      }
      if (t === STREAM_TYPE.aac || (t === undefined && p.data.length > 7 && p.data[0] === 0xff && (p.data[1]! & 0xf6) === 0xf0)) {
        this.adts(p);
        return;
      }
    }
    this.unsupportedPes++;
  }

  private adts(p: PesPayload): void {
    const d = p.data;
    let i = 0;
    let pts = p.pts ?? 0;
    while (i + 7 <= d.length && d[i] === 0xff && (d[i + 1]! & 0xf6) === 0xf0) {
      const protectionAbsent = d[i + 1]! & 1;
      const rateIndex = (d[i + 2]! >> 2) & 0x0f;
      const channels = ((d[i + 2]! & 1) << 2) | (d[i + 3]! >> 6);
      const len = ((d[i + 3]! & 3) << 11) | (d[i + 4]! << 3) | (d[i + 5]! >> 5);
      const head = protectionAbsent ? 7 : 9;
      if (len < head || i + len > d.length) break;
      const rate = AAC_RATES[rateIndex] ?? 0;
      this.handlers.audio!({ codec: 'aac', pts, data: Buffer.from(d.subarray(i + head, i + len)), sampleRate: rate, channels });
      if (rate) pts += Math.round((1024 * 90_000) / rate);
      i += len;
    }
  }
}
