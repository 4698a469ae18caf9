// Seeded mutations of captured SOAP replies and discovery messages (test/corpus/onvif): only
// OnvifError escapes the XML reader and the reply parsers built on it, memory stays bounded.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../test/corpus/rtsp-fuzz/mutate.js';
import { parseProbeMatches } from './discovery.js';
import { OnvifError } from './errors.js';
import { findAll, parseXml } from './xml.js';

const corpus = loadCorpus(fileURLToPath(new URL('../../test/corpus/onvif/', import.meta.url)), '.xml');

describe('ONVIF XML under mutated input', () => {
  it('only OnvifError escapes parseXml', () => {
    const r = fuzz(corpus, 20_000, 0x0f1f01, (b) => {
      const doc = parseXml(b);
      findAll(doc, 'Profiles');
    }, (e) => e instanceof OnvifError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(1000);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });

  it('ProbeMatches parsing never throws on junk', () => {
    const r = fuzz(corpus, 10_000, 0x0f1f02, (b) => parseProbeMatches(b, 'urn:uuid:6f4e2b8a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', '127.0.0.1'), () => false);
    expect(r.untyped).toEqual([]);
  });
});
