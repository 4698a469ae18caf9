import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { RtpError } from './errors.js';
import { parseRtcp } from './rtcp.js';
import { parseRtpPacket, serializeRtpPacket } from './rtp-packet.js';

const corpus = loadCorpus(fileURLToPath(new URL('../../../test/corpus/rtp/', import.meta.url)), '.bin');

describe('RTP/RTCP parsers under mutated input', () => {
  it('RTP: only RtpError escapes, and what parses re-serialises', () => {
    const r = fuzz(corpus, 30_000, 0x5eed01, (b) => {
      const p = parseRtpPacket(b);
      expect(p.payload.length).toBeLessThanOrEqual(b.length);
      serializeRtpPacket(p);
    }, (e) => e instanceof RtpError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });

  it('RTCP: only RtpError escapes', () => {
    const r = fuzz(corpus, 30_000, 0x5eed02, (b) => parseRtcp(b), (e) => e instanceof RtpError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });
});
