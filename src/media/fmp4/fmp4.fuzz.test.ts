// Seeded mutations of fragmented MP4 files (ours and ffmpeg's, test/corpus/fmp4): the scanner
// may only stop at a tail or throw Fmp4Error, and never read or allocate beyond its limits.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCorpus, mutate, prng } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { Fmp4Error } from './errors.js';
import { scanFragments } from './scan.js';

const DIR = fileURLToPath(new URL('../../../test/corpus/fmp4/', import.meta.url));

describe('fMP4 scanner fuzz', () => {
  it('reads the corpus, ffmpeg-made fragments included', async () => {
    const [ffmpegFile, ours] = loadCorpus(DIR, '.mp4');
    const a = await scanFragments(ffmpegFile!);
    expect(a.tail).toBeUndefined();
    expect(a.tracks.map((t) => t.handler)).toEqual(['vide', 'soun']);
    expect(a.fragments.length).toBeGreaterThan(1);
    const b = await scanFragments(ours!);
    expect(b.tail).toBeUndefined();
    expect(b.fragments.length).toBe(2);
  });

  it('throws nothing but Fmp4Error on mutated files', async () => {
    const corpus = loadCorpus(DIR, '.mp4');
    const rand = prng(0x14496);
    const untyped: unknown[] = [];
    let typed = 0;
    let tails = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3000; i++) {
      const input = mutate(corpus, rand);
      try {
        const r = await scanFragments(input, { maxMoofBytes: 1 << 16, maxMoovBytes: 1 << 16 });
        if (r.tail) tails++;
        for (const f of r.fragments) expect(f.offset + f.length).toBeLessThanOrEqual(input.length);
      } catch (e) {
        if (e instanceof Fmp4Error) typed++;
        else if (untyped.length < 5) untyped.push({ input: input.toString('base64').slice(0, 200), e });
      }
    }
    expect(untyped).toEqual([]);
    expect(typed).toBeGreaterThan(0);
    expect(tails).toBeGreaterThan(0);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 << 20);
  });
});
