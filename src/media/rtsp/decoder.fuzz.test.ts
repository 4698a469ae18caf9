import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus, mutate, prng } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { RtspDecoder } from './decoder.js';
import { RtspError } from './errors.js';
import { parseChallenges } from './auth.js';
import { parseRtpInfo, parseSession } from './headers.js';
import { RtspClient } from './rtsp-client.js';
import { RtspServer } from './rtsp-server.js';
import { parseTransport } from './transport.js';

const corpus = loadCorpus(fileURLToPath(new URL('../../../test/corpus/rtsp/', import.meta.url)), '.bin');

describe('RTSP decoder under mutated input', () => {
  it('throws only RtspError, whole or split at random points, and keeps its buffer bounded', () => {
    const rand = prng(0xc0ffee);
    const r = fuzz(corpus, 20_000, 0xdec0de, (input) => {
      const decoder = new RtspDecoder({
        message: (m) => {
          // Header parsers get whatever the mutation left in the values.
          parseTransport(m.headers.get('transport') ?? '');
          parseSession(m.headers.get('session') ?? '');
          parseRtpInfo(m.headers.get('rtp-info') ?? '');
          parseChallenges(m.headers.getAll('www-authenticate'));
        },
        interleaved: () => undefined,
      }, { maxHeaderBytes: 4096, maxBodyBytes: 8192 });
      let at = 0;
      while (at < input.length) {
        const n = 1 + Math.floor(rand() * 700);
        decoder.push(input.subarray(at, at + n));
        at += n;
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(4096 + 8192 + 65_539);
      }
    }, (e) => e instanceof RtspError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });

  it('an RtspServer fed mutated requests keeps serving well-behaved clients', async () => {
    const server = new RtspServer({ udpPort: false });
    const port = await server.listen();
    const mount = server.mount('/cam/1', { sdp: () => 'v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n' });
    const requests = corpus.filter((_, i) => i < 4);
    const rand = prng(0xbad);
    try {
      for (let round = 0; round < 20; round++) {
        await Promise.all(Array.from({ length: 10 }, async () => {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          socket.on('data', () => undefined);
          await new Promise((r) => socket.once('connect', r));
          socket.write(mutate(requests, rand));
          await new Promise((r) => setTimeout(r, 5));
          socket.destroy();
        }));
      }
      const client = new RtspClient({ url: `rtsp://127.0.0.1:${port}/cam/1` });
      const got = new Promise((r) => client.once('rtp', r));
      await client.start();
      const t = setInterval(() => mount.push(0, Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x65])), 10);
      await got;
      clearInterval(t);
      await client.close();
    } finally {
      await server.close();
    }
  }, 30_000);
});
