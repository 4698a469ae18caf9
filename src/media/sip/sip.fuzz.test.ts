import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus, prng } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { parseDatagram, SipStreamDecoder } from './decoder.js';
import { DigestServer } from './digest.js';
import { SipError } from './errors.js';
import { parseCSeq, parseNameAddr, parseSipUri, parseVia } from './headers.js';
import { parseManscdp } from './manscdp.js';

const corpus = loadCorpus(fileURLToPath(new URL('../../../test/corpus/sip/', import.meta.url)), '.sip');
const digest = new DigestServer({ realm: '3402000000' });

/** Everything a server does with a message it received: every header parser, the body, the digest. */
function consume(m: ReturnType<typeof parseDatagram>): void {
  parseVia(m.headers.get('via')!);
  parseCSeq(m.headers.get('cseq')!);
  parseNameAddr(m.headers.get('from')!);
  parseNameAddr(m.headers.get('to')!);
  const contact = m.headers.get('contact');
  if (contact) parseSipUri(parseNameAddr(contact).uri);
  if (m.kind === 'request') parseSipUri(m.uri);
  digest.verify(m.headers.get('authorization'), 'REGISTER', () => 'pw');
  if (m.body.length && /MANSCDP/i.test(m.headers.get('content-type') ?? '')) parseManscdp(m.body);
}

describe('SIP parsers under mutated input', () => {
  it('datagrams: only SipError is thrown, memory stays flat', () => {
    const r = fuzz(corpus, 20_000, 0x5151, (input) => consume(parseDatagram(input)), (e) => e instanceof SipError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });

  it('TCP stream: split at random points, only SipError, buffer bounded', () => {
    const rand = prng(0x7cb);
    const limits = { maxHeaderBytes: 4096, maxBodyBytes: 8192 };
    const r = fuzz(corpus, 10_000, 0xfeed, (input) => {
      const d = new SipStreamDecoder(consume, limits);
      let at = 0;
      while (at < input.length) {
        const n = 1 + Math.floor(rand() * 400);
        d.push(input.subarray(at, at + n));
        at += n;
        expect(d.bufferedBytes).toBeLessThanOrEqual(4096 + 8192 + 400 + 4);
      }
    }, (e) => e instanceof SipError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
  });
});
