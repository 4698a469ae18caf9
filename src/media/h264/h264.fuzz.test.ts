// Seeded mutations of real H.264 (test/corpus/h264): parameter sets, Annex-B streams and RTP
// packet sequences. Only H264Error may escape the SPS parser; the depacketizer, the Annex-B
// splitter and the muxer fed from them must not throw anything but their own typed errors.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { decodeRtpRecords } from '../../../test/support/media-fixtures.js';
import { Fmp4Error } from '../fmp4/errors.js';
import { Fmp4Muxer } from '../fmp4/muxer.js';
import { groupAccessUnits, splitAnnexB } from './annexb.js';
import { H264Depacketizer } from './depacketizer.js';
import { H264Error } from './errors.js';
import { packetizeH264 } from './packetizer.js';
import { parseH264Sps } from './sps.js';
import { parseSpropParameterSets } from './sprop.js';

const DIR = fileURLToPath(new URL('../../../test/corpus/h264/', import.meta.url));
const HEAP_LIMIT = 64 << 20;

describe('H.264 fuzz', () => {
  it('SPS parser throws only H264Error', () => {
    const corpus = loadCorpus(DIR, '.bin');
    expect(corpus.length).toBe(4);
    for (const c of corpus) expect(parseH264Sps(c).width).toBeGreaterThan(0); // the corpus itself parses
    const r = fuzz(corpus, 20000, 0x264, (b) => parseH264Sps(b), (e) => e instanceof H264Error);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(HEAP_LIMIT);
  });

  it('sprop-parameter-sets throws only H264Error', () => {
    const corpus = loadCorpus(DIR, '.bin').map((b) => Buffer.from(`${b.toString('base64')},aM4G4g==`));
    const r = fuzz(corpus, 5000, 5, (b) => parseSpropParameterSets(b.toString('latin1')), (e) => e instanceof H264Error);
    expect(r.untyped).toEqual([]);
  });

  it('depacketizer → fMP4 muxer: nothing untyped, memory bounded', () => {
    const corpus = loadCorpus(DIR, '.rtprec');
    const r = fuzz(corpus, 1500, 0x6184, (b) => {
      const d = new H264Depacketizer({ maxNaluBytes: 1 << 16, maxAccessUnitBytes: 1 << 18 });
      const m = new Fmp4Muxer({ video: { codec: 'h264' }, maxFragmentBytes: 1 << 20 });
      const aus = decodeRtpRecords(b).flatMap((p) => d.push(p));
      const last = d.flush();
      if (last) aus.push(last);
      for (const au of aus) m.addVideo(au);
      m.flush();
    }, (e) => e instanceof Fmp4Error);
    expect(r.untyped).toEqual([]);
    expect(r.heapGrowthBytes).toBeLessThan(HEAP_LIMIT);
  });

  it('Annex-B splitting, grouping and packetizing never throw', () => {
    const corpus = loadCorpus(DIR, '.h264');
    const r = fuzz(corpus, 1500, 0xb, (b) => {
      for (const au of groupAccessUnits(splitAnnexB(b), 'h264')) packetizeH264(au, { maxPayload: 100 });
    }, () => false);
    expect(r.untyped).toEqual([]);
  });
});
