// The PS reader against muxers we did not write: ffmpeg's `-f vob` (MPEG-2 packs, no PSM, video
// stream id 0xE2 for H.264), `-f mpeg` (MPEG-1 packs and packet headers) and GStreamer's
// mpegpsmux (PSM with stream_type 0x1B, id 0xE0 — the GB/T 28181 shape). Frames out must equal
// frames in, NAL for NAL, however the bytes are cut (RTP payloads), over UDP-style RTP and RFC 4571.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mediaFixture, scratchDir } from '../../../test/support/media-fixtures.js';
import { mutate, prng } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { splitAnnexB } from '../h264/annexb.js';
import { PsReader } from './ps-reader.js';
import { frameRfc4571, Rfc4571Decoder } from './rfc4571.js';
import { RtpPsDepacketizer } from './rtp-ps.js';
import { VideoAssembler, type PsAccessUnit } from './video-assembler.js';

const run = promisify(execFile);

async function ffprobePackets(path: string, format: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-f', format, '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

async function ffmpegPs(es: string, inFormat: 'h264' | 'hevc', outFormat: 'vob' | 'mpeg'): Promise<string> {
  const out = join(scratchDir(), `${inFormat}-${outFormat}-${Date.now()}.ps`);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', inFormat, '-framerate', '25', '-i', es, '-c', 'copy', '-f', outFormat, out]);
  return out;
}

function readAll(bytes: Buffer, seed: number): { units: PsAccessUnit[]; reader: PsReader } {
  const units: PsAccessUnit[] = [];
  const reader = new PsReader({ video: (u) => units.push(u) });
  const rand = prng(seed);
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rand() * 1400);
    reader.push(bytes.subarray(i, i + n));
    i += n;
  }
  reader.flush();
  return { units, reader };
}

function nalsOf(units: PsAccessUnit[]): string[] {
  return units.flatMap((u) => u.nalus.map((n) => n.toString('hex')));
}

/** RTP packets (PT 96, 90 kHz, one SSRC) carrying a PS byte stream, cut every `size` bytes. */
function packetize(ps: Buffer, ssrc: number, size = 1400): Buffer[] {
  const out: Buffer[] = [];
  let seq = 1000;
  for (let i = 0; i < ps.length; i += size) {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = 96;
    h.writeUInt16BE(seq++ & 0xffff, 2);
    h.writeUInt32BE(0, 4);
    h.writeUInt32BE(ssrc, 8);
    out.push(Buffer.concat([h, ps.subarray(i, i + size)]));
  }
  return out;
}

describe('PS from ffmpeg', () => {
  for (const outFormat of ['vob', 'mpeg'] as const) {
    it(`H.264 in -f ${outFormat} (no PSM, id 0xE2): every frame, NAL for NAL, PTS a frame apart`, async () => {
      const es = await mediaFixture('h264-720p.h264');
      const expected = await ffprobePackets(es.path, 'h264');
      const ps = await readFile(await ffmpegPs(es.path, 'h264', outFormat));
      const { units, reader } = readAll(ps, 7);
      expect(reader.videoCodec).toBe('h264');
      expect(units.length).toBe(expected);
      expect(nalsOf(units)).toEqual(splitAnnexB(es.bytes).map((n) => n.toString('hex')));
      expect(units.filter((u) => u.keyframe).length).toBe(2);
      // ffmpeg's muxer gives a PES one PTS; a second picture starting in the same PES has none, and is stamped a frame on.
      expect(units.filter((u) => u.extrapolated).length).toBeLessThanOrEqual(2);
      for (let i = 1; i < units.length; i++) expect(units[i]!.pts - units[i - 1]!.pts).toBe(3600);
      expect(reader.stats.damaged).toBe(0);
    });
  }

  it('H.265 in -f vob: every frame, NAL for NAL', async () => {
    const es = await mediaFixture('h265-360p.h265');
    const expected = await ffprobePackets(es.path, 'hevc');
    const ps = await readFile(await ffmpegPs(es.path, 'hevc', 'vob'));
    const { units, reader } = readAll(ps, 11);
    expect(reader.videoCodec).toBe('h265');
    expect(units.length).toBe(expected);
    expect(nalsOf(units)).toEqual(splitAnnexB(es.bytes).map((n) => n.toString('hex')));
    expect(units.filter((u) => u.keyframe).length).toBe(2);
  });

  it('B-frames straight from the encoder: DTS from the PES, PTS reordered', async () => {
    const out = join(scratchDir(), `bframes-${Date.now()}.ps`);
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '50', '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'vob', out]);
    const { units } = readAll(await readFile(out), 3);
    expect(units.length).toBe(50);
    for (let i = 1; i < units.length; i++) expect(units[i]!.dts).toBeGreaterThan(units[i - 1]!.dts);
    expect(units.some((u, i) => i > 0 && u.pts < units[i - 1]!.pts)).toBe(true);
  });
});

describe('PS from GStreamer mpegpsmux (PSM, stream type 0x1B, id 0xE0)', () => {
  it('H.264: frames out = buffers in, NAL for NAL with the ES written beside it', async () => {
    const dir = scratchDir();
    const ps = join(dir, `gst-${Date.now()}.ps`);
    const es = join(dir, `gst-${Date.now()}.h264`);
    await run('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=40', '!', 'video/x-raw,width=320,height=240,framerate=25/1', '!', 'x264enc', 'key-int-max=20', 'bframes=0', 'speed-preset=ultrafast', '!', 'h264parse', 'config-interval=-1', '!', 'video/x-h264,stream-format=byte-stream,alignment=au', '!', 'tee', 'name=t', '!', 'queue', '!', 'mpegpsmux', '!', 'filesink', `location=${ps}`, 't.', '!', 'queue', '!', 'filesink', `location=${es}`]);
    const bytes = await readFile(ps);
    expect(bytes.includes(Buffer.from([0, 0, 1, 0xbc]))).toBe(true);
    const { units, reader } = readAll(bytes, 5);
    expect(reader.videoCodec).toBe('h264');
    expect(units.length).toBe(40);
    expect(nalsOf(units)).toEqual(splitAnnexB(await readFile(es)).map((n) => n.toString('hex')));
    expect(units.filter((u) => u.keyframe).length).toBe(2);
  }, 60_000);
});

describe('RTP-PS depacketizer', () => {
  it('SSRC filter, wrong payload type, loss count; RFC 4571 framing over a stream cut anywhere', async () => {
    const es = await mediaFixture('h264-720p.h264');
    const ps = await readFile(await ffmpegPs(es.path, 'h264', 'vob'));
    const units: PsAccessUnit[] = [];
    const dep = new RtpPsDepacketizer({ video: (u) => units.push(u) }, { ssrc: 100000001, markerEndsFrame: false });
    const packets = packetize(ps, 100000001);
    const intruder = packetize(ps.subarray(0, 5000), 777);
    const wrongPt = Buffer.from(packets[0]!);
    wrongPt[1] = 8;
    let stream = Buffer.alloc(0);
    packets.forEach((p, i) => {
      stream = Buffer.concat([stream, frameRfc4571(p)]);
      if (i % 10 === 0 && intruder[i / 10]) stream = Buffer.concat([stream, frameRfc4571(intruder[i / 10]!)]);
    });
    stream = Buffer.concat([stream, frameRfc4571(wrongPt), frameRfc4571(Buffer.from([1, 2, 3]))]);
    const framer = new Rfc4571Decoder((pkt) => dep.push(pkt));
    const rand = prng(99);
    for (let i = 0; i < stream.length; ) {
      const n = 1 + Math.floor(rand() * 3000);
      framer.push(stream.subarray(i, i + n));
      i += n;
    }
    dep.close();
    expect(units.length).toBe(50);
    expect(dep.stats.wrongSsrc).toBeGreaterThan(0);
    expect(dep.stats.wrongPayloadType).toBe(1);
    expect(dep.stats.malformed).toBe(1);
    expect(dep.stats.lost).toBe(0);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('a lost packet costs the frames it carried, counted, and the stream recovers', async () => {
    const es = await mediaFixture('h264-720p.h264');
    const ps = await readFile(await ffmpegPs(es.path, 'h264', 'vob'));
    const units: PsAccessUnit[] = [];
    const dep = new RtpPsDepacketizer({ video: (u) => units.push(u) }, { markerEndsFrame: false });
    const packets = packetize(ps, 5);
    packets.forEach((p, i) => i !== 20 && dep.push(p));
    dep.close();
    expect(dep.stats.lost).toBe(1);
    expect(units.length).toBeGreaterThanOrEqual(48);
    expect(units.length).toBeLessThanOrEqual(51);
  });
});

describe('PS reader under damage', () => {
  it('mutated streams never throw; memory bounded', async () => {
    const es = await mediaFixture('h264-720p.h264');
    const corpus = [await readFile(await ffmpegPs(es.path, 'h264', 'vob')), await readFile(await ffmpegPs(es.path, 'h264', 'mpeg'))].map((b) => b.subarray(0, 60_000));
    const rand = prng(0x9a5);
    for (let i = 0; i < 300; i++) {
      const input = mutate(corpus, rand);
      const r = new PsReader({ video: () => undefined, audio: () => undefined });
      for (let at = 0; at < input.length; at += 1400) r.push(input.subarray(at, at + 1400));
      r.flush();
    }
  }, 60_000);
});

describe('video assembler', () => {
  it('a start code (3 or 4 bytes) cut anywhere between pushes still ends one NAL unit and begins the next', () => {
    const nal = (head: number[], len: number) => Buffer.from([...head, ...Array.from({ length: len }, (_, i) => (i % 200) + 2)]);
    const nals = [nal([0x09, 0xf0], 0), nal([0x67, 0x42], 9), nal([0x68, 0xce], 3), nal([0x65, 0x88], 40), nal([0x09, 0xf0], 0), nal([0x41, 0x9a], 25), nal([0x41, 0x1a], 7)];
    const es = Buffer.concat(nals.flatMap((n, i) => [Buffer.from(i % 2 ? [0, 0, 0, 1] : [0, 0, 1]), n]));
    const want = nals.map((n) => n.toString('hex'));
    const read = (cuts: number[]) => {
      const units: PsAccessUnit[] = [];
      const a = new VideoAssembler('h264', (u) => units.push(u));
      let from = 0;
      for (const c of [...cuts, es.length]) {
        a.push(Buffer.from(es.subarray(from, c)), from === 0 ? 0 : undefined);
        from = c;
      }
      a.flush();
      return units;
    };
    for (let cut = 1; cut < es.length; cut++) {
      const units = read([cut]);
      expect(nalsOf(units), `cut at ${cut}`).toEqual(want);
      expect(units.map((u) => u.keyframe)).toEqual([true, false]);
    }
    expect(nalsOf(read(Array.from({ length: es.length - 1 }, (_, i) => i + 1))), 'a byte a push').toEqual(want);
  });
});

describe('RFC 4571 framing', () => {
  it('gives the same packets, zero lengths skipped, however the stream is cut (down to a byte at a time)', () => {
    const rand = prng(7);
    const packets = Array.from({ length: 300 }, (_, i) => Buffer.from(Array.from({ length: i % 7 === 0 ? 0 : 1 + Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256))));
    const stream = Buffer.concat(packets.map(frameRfc4571));
    const want = packets.filter((p) => p.length > 0).map((p) => p.toString('hex'));
    for (const maxCut of [1, 2, 3, 1500, 70_000]) {
      const got: string[] = [];
      const framer = new Rfc4571Decoder((p) => got.push(p.toString('hex')));
      // The most it held after any push (one expect a push, 450,000 of them a byte at a time, took most of a minute).
      let mostBuffered = 0;
      for (let i = 0; i < stream.length; ) {
        const n = 1 + Math.floor(rand() * maxCut);
        framer.push(stream.subarray(i, i + n));
        i += n;
        mostBuffered = Math.max(mostBuffered, framer.bufferedBytes);
      }
      expect(mostBuffered).toBeLessThanOrEqual(2 + 3000);
      expect(got).toEqual(want);
      expect(framer.bufferedBytes).toBe(0);
    }
    // A stream that stops inside a packet holds its bytes, length field included.
    const framer = new Rfc4571Decoder(() => undefined);
    framer.push(frameRfc4571(Buffer.alloc(10)).subarray(0, 7));
    expect(framer.bufferedBytes).toBe(7);
  });
});
