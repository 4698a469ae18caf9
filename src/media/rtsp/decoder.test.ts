import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RtspDecoder, type DecoderLimits } from './decoder.js';
import { RtspError } from './errors.js';
import { RtspHeaders, serializeRequest, serializeResponse, type RtspMessage } from './message.js';

const corpus = (name: string) => readFileSync(new URL(`../../../test/corpus/rtsp/${name}`, import.meta.url));

function collect(limits: Partial<DecoderLimits> = {}, transient = false) {
  const messages: RtspMessage[] = [];
  const frames: { channel: number; payload: Buffer }[] = [];
  const decoder = new RtspDecoder(
    { message: (m) => messages.push(m), interleaved: (channel, payload) => frames.push({ channel, payload: Buffer.from(payload) }) },
    limits,
    { transient },
  );
  return { decoder, messages, frames };
}

describe('RtspDecoder', () => {
  it('decodes a real GStreamer conversation fed one byte at a time, the same as in one piece', () => {
    const bytes = corpus('gst-responses-h264aac.bin');
    const whole = collect();
    try {
      whole.decoder.push(bytes);
    } catch {
      // The capture is cut mid-frame; what came before is what we compare.
    }
    const bytewise = collect();
    for (let i = 0; i < bytes.length; i++) bytewise.decoder.push(bytes.subarray(i, i + 1));
    expect(whole.messages.map((m) => m.kind === 'response' && m.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(bytewise.messages.length).toBe(whole.messages.length);
    expect(bytewise.frames).toEqual(whole.frames);
    expect(whole.frames.length).toBeGreaterThan(0);
    const describe = whole.messages[1]!;
    expect(describe.headers.get('content-type')).toBe('application/sdp');
    expect(describe.body.toString()).toMatch(/^v=0/);
  });

  it('decodes the same through a reused read buffer (transient chunks) cut at every size', () => {
    const bytes = corpus('gst-responses-h264aac.bin');
    const whole = collect();
    try {
      whole.decoder.push(bytes);
    } catch {
      // cut mid-frame, as above
    }
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const maxChunk of [1, 3, 5, 17, 600, 1500, 4000]) {
      const reused = collect({}, true);
      const readBuffer = Buffer.alloc(maxChunk);
      for (let at = 0; at < bytes.length; ) {
        const n = Math.min(bytes.length - at, 1 + Math.floor(random() * maxChunk));
        bytes.copy(readBuffer, 0, at, at + n);
        reused.decoder.push(readBuffer.subarray(0, n));
        readBuffer.fill(0xee); // what a socket's next read would do to the bytes
        at += n;
      }
      expect(reused.frames).toEqual(whole.frames);
      expect(reused.messages.map((m) => m.kind === 'response' && [m.statusCode, m.headers.get('cseq'), m.body.length])).toEqual(
        whole.messages.map((m) => m.kind === 'response' && [m.statusCode, m.headers.get('cseq'), m.body.length]),
      );
    }
  });

  it('decodes ffprobe requests with case-insensitive headers', () => {
    const { decoder, messages } = collect();
    decoder.push(corpus('ffprobe-requests-h264.bin'));
    const methods = messages.map((m) => (m.kind === 'request' ? m.method : ''));
    expect(methods.slice(0, 3)).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP']);
    expect(messages[2]!.headers.get('TRANSPORT')).toMatch(/RTP\/AVP\/TCP/);
    expect(messages[0]!.headers.get('cseq')).toBe('1');
  });

  it('round-trips serialised messages and unfolds continuation lines', () => {
    const { decoder, messages } = collect();
    decoder.push(serializeRequest({ method: 'ANNOUNCE', uri: 'rtsp://h/x', headers: new RtspHeaders({ CSeq: 3 }), body: Buffer.from('v=0\r\n') }));
    decoder.push(serializeResponse({ statusCode: 454, headers: new RtspHeaders({ CSeq: 3 }) }));
    decoder.push(Buffer.from('RTSP/1.0 200 OK\nCSeq: 4\nPublic: OPTIONS,\n DESCRIBE\n\n'));
    expect(messages[0]).toMatchObject({ kind: 'request', method: 'ANNOUNCE', uri: 'rtsp://h/x' });
    expect(messages[0]!.body.toString()).toBe('v=0\r\n');
    expect(messages[1]).toMatchObject({ kind: 'response', statusCode: 454, reason: 'Session Not Found' });
    expect(messages[2]!.headers.get('public')).toBe('OPTIONS, DESCRIBE');
  });

  it('refuses header injection when serialising', () => {
    expect(() => serializeResponse({ statusCode: 200, headers: new RtspHeaders({ X: 'a\r\nSession: 1' }) })).toThrow(RtspError);
  });

  it.each([
    ['garbage', Buffer.from('\x16\x03\x01\x02\x00hello'), 'RTSP_MALFORMED'],
    ['absurd Content-Length', Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n'), 'RTSP_LIMIT'],
    ['non-numeric Content-Length', Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: -5\r\n\r\n'), 'RTSP_MALFORMED'],
    ['endless header line', Buffer.from('RTSP/1.0 200 OK\r\nX: ' + 'a'.repeat(5000)), 'RTSP_LIMIT'],
    ['endless headers', Buffer.from('RTSP/1.0 200 OK\r\n' + 'X-A: b\r\n'.repeat(3000)), 'RTSP_LIMIT'],
    ['header without colon', Buffer.from('RTSP/1.0 200 OK\r\nnocolon\r\n\r\n'), 'RTSP_MALFORMED'],
    ['bad status line', Buffer.from('RTSP/1.0 2000 OK\r\n\r\n'), 'RTSP_MALFORMED'],
  ])('rejects %s with a typed error and stays failed', (_name, bytes, code) => {
    const { decoder } = collect();
    let error: unknown;
    try {
      decoder.push(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RtspError);
    expect((error as RtspError).code).toBe(code);
    expect(() => decoder.push(Buffer.from('RTSP/1.0 200 OK\r\n\r\n'))).toThrow(RtspError);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('holds no more than one header block while waiting for its end', () => {
    const { decoder } = collect({ maxHeaderBytes: 1024 });
    decoder.push(Buffer.from('RTSP/1.0 200 OK\r\n'));
    expect(() => {
      for (let i = 0; i < 200; i++) decoder.push(Buffer.from('X-Slow: 1\r\n'));
    }).toThrow(RtspError);
    expect(decoder.bufferedBytes).toBe(0);
  });
});
