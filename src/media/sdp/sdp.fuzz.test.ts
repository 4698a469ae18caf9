import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { SdpError } from './errors.js';
import { serializeSdp } from './sdp-builder.js';
import { parseSdp } from './sdp.js';
import { describeTracks } from './tracks.js';

const corpus = loadCorpus(fileURLToPath(new URL('../../../test/corpus/sdp/', import.meta.url)), '.sdp');

describe('SDP parser under mutated input', () => {
  it('throws only SdpError, and whatever parses also describes and re-serialises', () => {
    const r = fuzz(corpus, 15_000, 0x5d9, (b) => {
      const desc = parseSdp(b);
      describeTracks(desc);
      serializeSdp(desc);
    }, (e) => e instanceof SdpError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });
});
