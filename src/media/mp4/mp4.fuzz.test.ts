// Seeded mutations of the ffmpeg-made corpus (test/corpus/mp4): only Mp4Error may escape, every
// sample the demuxer returns lies inside the input, and memory stays bounded.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { Mp4Error } from './errors.js';
import { demuxMp4, splitLengthPrefixed } from './mp4-demuxer.js';

const files = loadCorpus(fileURLToPath(new URL('../../../test/corpus/mp4/', import.meta.url)), '.mp4');

// Most of a file is sample data; mutations should land on the boxes that describe it. Keep each
// mdat's first bytes only (sample offsets past the end are then cut off, as for a truncated file).
function structureOnly(file: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let o = 0; o + 8 <= file.length;) {
    const size = file.readUInt32BE(o);
    if (size < 8) break;
    const type = file.toString('latin1', o + 4, o + 8);
    if (type === 'mdat') {
      const keep = Math.min(size, 8 + 600);
      const head = Buffer.from(file.subarray(o, o + keep));
      head.writeUInt32BE(keep, 0);
      parts.push(head);
    } else {
      parts.push(file.subarray(o, o + size));
    }
    o += size;
  }
  return Buffer.concat(parts);
}

const corpus = [...files.map(structureOnly), files[0]!];

describe('MP4 demuxer under mutated input', () => {
  it('only Mp4Error escapes; samples stay inside the input', () => {
    let parsed = 0;
    const r = fuzz(corpus, 30_000, 0x3a4d00, (b) => {
      const movie = demuxMp4(b, { maxSamples: 100_000 });
      parsed++;
      for (const t of movie.tracks) {
        for (const s of t.samples) {
          expect(s.offset + s.size).toBeLessThanOrEqual(b.length);
          if (t.entry?.codec && s.offset >= 0) {
            try {
              splitLengthPrefixed(b.subarray(s.offset, s.offset + s.size), t.entry.nalLengthSize);
            } catch (e) {
              if (!(e instanceof Mp4Error)) throw e;
            }
          }
        }
      }
    }, (e) => e instanceof Mp4Error);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(100);
    expect(parsed).toBeGreaterThan(100);
    expect(r.heapGrowthBytes).toBeLessThan(128 << 20);
  }, 30_000);
});
