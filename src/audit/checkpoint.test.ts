import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVigilError } from '../errors.js';
import { checkpointSignatureProblem, keyRing, parseCheckpointLines, signCheckpoint, toCheckpointLine } from './checkpoint.js';
import { parsePublicKey, PlatformKeys } from './platform-key.js';

const CORPUS = join(import.meta.dirname, '../../test/corpus/audit-checkpoints');
const corpus = readdirSync(CORPUS).filter((f) => f.endsWith('.jsonl')).map((f) => readFileSync(join(CORPUS, f)));
const corpusKey = parsePublicKey(readFileSync(join(CORPUS, 'public-key.pem'), 'utf8'));

describe('checkpoints', () => {
  it('round-trip through JSON lines and verify under the signing key only', () => {
    const keys = PlatformKeys.ephemeral();
    const cp = signCheckpoint(keys, 42, 'ab'.repeat(32), 1767225600000);
    const [back] = parseCheckpointLines(`${toCheckpointLine(cp)}\n`);
    expect(back).toEqual(cp);
    expect(checkpointSignatureProblem(back!, keyRing(keys.publicKey))).toBeNull();
    expect(checkpointSignatureProblem(back!, keyRing(PlatformKeys.ephemeral().publicKey))).toMatch(/not a trusted/);
    for (const change of [{ seq: 43 }, { at: cp.at + 1 }, { rowHash: 'ac'.repeat(32) }]) {
      expect(checkpointSignatureProblem({ ...cp, ...change }, keyRing(keys.publicKey))).toMatch(/signature is not valid/);
    }
  });

  it('reads the corpus files, blank lines and CRLF included, and they verify', () => {
    const all = corpus.flatMap((b) => parseCheckpointLines(b.toString('utf8')));
    expect(all.length).toBe(4 + 1 + 2);
    for (const cp of all) expect(checkpointSignatureProblem(cp, keyRing(corpusKey))).toBeNull();
  });

  it('reports every bad line by number and returns nothing from a bad file', () => {
    const good = readFileSync(join(CORPUS, 'one.jsonl'), 'utf8').trim();
    const text = [good, 'not json', '{"seq":0,"rowHash":"x"}', '[]', good.replace('"seq":1', '"seq":1.5'), 'x'.repeat(2000)].join('\n');
    try {
      parseCheckpointLines(text);
      expect.unreachable();
    } catch (e) {
      expect(isVigilError(e) && e.code).toBe('VALIDATION_FAILED');
      expect(isVigilError(e) && e.details.map((d) => d.path)).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    }
  });

  it('survives random mutation of the corpus: only typed errors escape, output stays bounded', () => {
    let s = 0x5eed;
    const rnd = (n: number) => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
    const ring = keyRing(corpusKey);
    const interesting = Buffer.from('{}[]",:0123456789-+.eE\n\r\\u"seqrowHashatkeyIdsignature=/ ');
    const started = performance.now();
    for (let i = 0; i < 4000; i++) {
      const src = corpus[rnd(corpus.length)]!;
      let b = Buffer.from(src);
      for (let m = 1 + rnd(8); m > 0; m--) {
        const at = rnd(b.length + 1);
        switch (rnd(5)) {
          case 0: if (b.length) b[Math.min(at, b.length - 1)] = rnd(256); break;
          case 1: b = Buffer.concat([b.subarray(0, at), Buffer.from([interesting[rnd(interesting.length)]!]), b.subarray(at)]); break;
          case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rnd(40)))]); break;
          case 3: b = b.subarray(0, at); break;
          default: b = Buffer.concat([b, b.subarray(at, at + rnd(300))]); break;
        }
      }
      try {
        const out = parseCheckpointLines(b.toString('utf8'));
        expect(out.length).toBeLessThanOrEqual(b.toString('utf8').split('\n').length);
        for (const cp of out) {
          const problem = checkpointSignatureProblem(cp, ring);
          expect(problem === null || typeof problem === 'string').toBe(true);
        }
      } catch (e) {
        if (!isVigilError(e)) throw e;
        expect(e.details.length).toBeLessThanOrEqual(20);
      }
    }
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
