// Seeded mutations of real H.265 (test/corpus/h265): parameter sets, Annex-B and RTP sequences.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { decodeRtpRecords } from '../../../test/support/media-fixtures.js';
import { groupAccessUnits, splitAnnexB } from '../h264/annexb.js';
import { Fmp4Error } from '../fmp4/errors.js';
import { Fmp4Muxer } from '../fmp4/muxer.js';
import { H265Depacketizer } from './depacketizer.js';
import { H265Error } from './errors.js';
import { packetizeH265 } from './packetizer.js';
import { h265CodecString, parseH265Sps } from './sps.js';

const DIR = fileURLToPath(new URL('../../../test/corpus/h265/', import.meta.url));
const HEAP_LIMIT = 64 << 20;

describe('H.265 fuzz', () => {
  it('SPS parser throws only H265Error', () => {
    const corpus = loadCorpus(DIR, '.bin');
    expect(corpus.map((c) => parseH265Sps(c).bitDepthLuma)).toEqual([10, 8]); // main10, small
    const r = fuzz(corpus, 20000, 0x265, (b) => h265CodecString(parseH265Sps(b)), (e) => e instanceof H265Error);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(HEAP_LIMIT);
  });

  it('depacketizer → fMP4 muxer: nothing untyped, memory bounded', () => {
    const corpus = loadCorpus(DIR, '.rtprec');
    const r = fuzz(corpus, 1500, 0x7798, (b) => {
      const d = new H265Depacketizer({ maxNaluBytes: 1 << 16, maxAccessUnitBytes: 1 << 18 });
      const m = new Fmp4Muxer({ video: { codec: 'h265' }, maxFragmentBytes: 1 << 20 });
      const aus = decodeRtpRecords(b).flatMap((p) => d.push(p));
      const last = d.flush();
      if (last) aus.push(last);
      for (const au of aus) m.addVideo(au);
      m.flush();
    }, (e) => e instanceof Fmp4Error);
    expect(r.untyped).toEqual([]);
    expect(r.heapGrowthBytes).toBeLessThan(HEAP_LIMIT);
  });

  it('Annex-B grouping and packetizing never throw', () => {
    const r = fuzz(loadCorpus(DIR, '.hevc'), 1500, 0xc, (b) => {
      for (const au of groupAccessUnits(splitAnnexB(b), 'h265')) packetizeH265(au, { maxPayload: 100 });
    }, () => false);
    expect(r.untyped).toEqual([]);
  });
});
