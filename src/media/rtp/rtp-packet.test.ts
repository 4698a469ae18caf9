import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RtpError } from './errors.js';
import { parseRtpPacket, seqDelta, serializeRtpPacket, tsDelta } from './rtp-packet.js';

const corpus = (name: string) => readFileSync(new URL(`../../../test/corpus/rtp/${name}`, import.meta.url));

describe('RTP packets (RFC 3550 §5.1)', () => {
  it('parses a GStreamer H.264 packet', () => {
    const p = parseRtpPacket(corpus('gst-rtp-0-9.bin'));
    expect(p.payloadType).toBe(96);
    expect(p.csrc).toEqual([]);
    expect(p.payload.length).toBe(200);
  });

  it('round-trips CSRCs, a header extension and padding', () => {
    const bytes = corpus('crafted-rtp-ext-csrc-pad.bin');
    const p = parseRtpPacket(bytes);
    expect(p).toMatchObject({ marker: true, payloadType: 96, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, csrc: [1, 2, 3], paddingLength: 4 });
    expect(p.extension?.profile).toBe(0xbede);
    expect([...p.payload]).toEqual([0x65, 1, 2, 3, 4, 5]);
    expect(serializeRtpPacket(p).equals(bytes)).toBe(true);
  });

  it('rejects short, wrong-version and inconsistent packets with typed errors', () => {
    const good = corpus('crafted-rtp-ext-csrc-pad.bin');
    const cases = [
      good.subarray(0, 11),
      Buffer.concat([Buffer.from([0x40]), good.subarray(1)]),
      good.subarray(0, 20), // CSRC list cut
      Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([0])]), // padding count 0
      Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([200])]), // padding too long
    ];
    for (const c of cases) expect(() => parseRtpPacket(c)).toThrow(RtpError);
  });

  it('measures sequence and timestamp distance across the wrap', () => {
    expect(seqDelta(65535, 0)).toBe(1);
    expect(seqDelta(0, 65535)).toBe(-1);
    expect(seqDelta(100, 90)).toBe(-10);
    expect(tsDelta(0xfffffff0, 0x10)).toBe(0x20);
  });
});
