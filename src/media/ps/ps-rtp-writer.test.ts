// The one-buffer RTP-PS writer against the two-step path it replaces (muxPsFrame, then
// RtpPsPacketizer): the same bytes, packet for packet over UDP and as one RFC 4571 stream over
// TCP, for frames from a few bytes to past the PES length limit, keyframes with and without their
// parameter sets, B-frames (DTS ≠ PTS), H.264 and H.265, timestamps that wrap; and the depacketizer
// reads back every NAL unit.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { muxPsFrame, RtpPsPacketizer, type PsFrame } from './ps-muxer.js';
import { PsRtpWriter } from './ps-rtp-writer.js';
import { RtpPsDepacketizer } from './rtp-ps.js';
import type { PsAccessUnit } from './video-assembler.js';

// No zero bytes in the body, so no start code can appear inside a NAL unit.
const nal = (head: number[], n: number) => Buffer.concat([Buffer.from(head), randomBytes(n).map((b) => b || 1)]);
const SPS = Buffer.from('6742c01e95a05005b2', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');

function frames(): PsFrame[] {
  const out: PsFrame[] = [];
  const sizes = [1, 10, 1385, 1386, 1400, 2786, 5000, 64_990, 65_000, 65_001, 130_000, 200_000];
  let pts = 2 ** 33 - 3600 * 6;
  for (const [i, size] of sizes.entries()) {
    pts += 3600;
    const key = i % 4 === 0;
    out.push({ codec: 'h264', keyframe: key, pts90k: pts, ...(i % 3 === 1 ? { dts90k: pts - 3600 } : {}), nalus: key && i % 8 === 0 ? [nal([0x65], size)] : key ? [SPS, PPS, nal([0x65], size)] : [nal([0x41], size)], parameterSets: [SPS, PPS] });
  }
  out.push({ codec: 'h265', keyframe: true, pts90k: 1000, nalus: [nal([0x26, 0x01], 70_000)], parameterSets: [nal([0x40, 0x01], 20), nal([0x42, 0x01], 40), nal([0x44, 0x01], 6)] });
  out.push({ codec: 'h265', keyframe: false, pts90k: 4600, dts90k: 1000, nalus: [nal([0x02, 0x01], 3000)] });
  return out;
}

describe('PsRtpWriter', () => {
  it('writes the bytes of muxPsFrame cut into RTP packets, over UDP and over TCP, in a new buffer or the last one', () => {
    const list = frames();
    for (const [framed, reuse] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const old = new RtpPsPacketizer(0xdeadbeef, 96, 1400, 65_530);
      const w = new PsRtpWriter(0xdeadbeef, framed, 96, 1400, 65_530);
      let previous: Buffer | undefined;
      for (const f of list) {
        const expected = old.packetizeFramed(muxPsFrame(f), f.pts90k);
        const got = w.write(f, reuse);
        // Written over the last unit's buffer when allowed and large enough; never when not allowed.
        // (Small buffers not reused may share Node's allocation pool, so only large ones are compared.)
        if (previous && reuse && got.buffer.length <= previous.length) expect(got.buffer.buffer === previous.buffer && got.buffer.byteOffset === previous.byteOffset).toBe(true);
        if (previous && !reuse && got.buffer.length > 8192) expect(got.buffer.buffer === previous.buffer).toBe(false);
        previous = got.buffer;
        expect(got.count).toBe(expected.packets.length);
        expect(got.rtpBytes).toBe(expected.packets.reduce((a, p) => a + p.length, 0));
        if (framed) expect(got.buffer.equals(expected.framed)).toBe(true);
        else {
          expect(got.packets.length).toBe(expected.packets.length);
          got.packets.forEach((p, k) => expect(p.equals(expected.packets[k]!), `frame ${f.pts90k} packet ${k}`).toBe(true));
        }
      }
    }
  });

  it('carries every NAL unit to the depacketizer, with its timestamps', () => {
    const list = frames().filter((f) => f.codec === 'h264');
    const units: PsAccessUnit[] = [];
    const rx = new RtpPsDepacketizer({ video: (u) => units.push(u) }, { ssrc: 7 });
    const w = new PsRtpWriter(7, false);
    for (const f of list) for (const p of w.write(f).packets) rx.push(p);
    expect(rx.stats).toMatchObject({ lost: 0, malformed: 0, wrongSsrc: 0 });
    expect(units.length).toBe(list.length);
    units.forEach((u, i) => {
      const f = list[i]!;
      const sent = f.keyframe && !f.nalus.some((n) => (n[0]! & 0x1f) === 7) ? [SPS, PPS, ...f.nalus] : f.nalus;
      expect(u.nalus.map((n) => n.toString('hex'))).toEqual(sent.map((n) => n.toString('hex')));
      expect(u.pts).toBe(f.pts90k % 2 ** 33);
    });
  });
});
