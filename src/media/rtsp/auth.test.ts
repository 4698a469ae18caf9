import { describe, expect, it } from 'vitest';
import { basicAuthorization, ClientAuth, createServerAuth, credentialsFromUrl, digestResponse, parseChallenges } from './auth.js';
import { RtspError } from './errors.js';
import { RtspHeaders, type RtspRequest } from './message.js';

describe('Digest and Basic (RFC 2617, RFC 7616)', () => {
  it('matches the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    expect(digestResponse({
      username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    })).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('matches the RFC 7616 §3.9.1 examples (MD5 and SHA-256)', () => {
    const base = {
      username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      method: 'GET', uri: '/dir/index.html', qop: 'auth' as const, nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    };
    expect(digestResponse({ ...base, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(digestResponse({ ...base, algorithm: 'SHA-256' })).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('computes the RFC 2069 form without qop', () => {
    // HA1 = MD5("u:r:p"), HA2 = MD5("DESCRIBE:rtsp://h/x"), response = MD5(HA1:n:HA2), computed independently with Python's hashlib.
    expect(digestResponse({ username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'DESCRIBE', uri: 'rtsp://h/x' })).toBe('d43942a69cea5a6702fa9c0d7a6b6c77');
  });

  it('encodes Basic as in RFC 7617', () => {
    expect(basicAuthorization({ username: 'Aladdin', password: 'open sesame' })).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  });

  it('parses several challenges on one line and quoted commas', () => {
    const [d, b] = parseChallenges(['Digest realm="a, b", nonce="xyz", qop="auth,auth-int", algorithm=MD5, Basic realm="cam"']);
    expect(d!.scheme).toBe('digest');
    expect(d!.params.get('realm')).toBe('a, b');
    expect(d!.params.get('qop')).toBe('auth,auth-int');
    expect(b).toMatchObject({ scheme: 'basic' });
    expect(b!.params.get('realm')).toBe('cam');
  });

  it('prefers Digest, counts nc, and is accepted by the server-side check', async () => {
    const server = createServerAuth({ realm: 'vigil', password: (u) => (u === 'op' ? 's3cret:!' : undefined), allowBasic: true });
    const client = new ClientAuth({ username: 'op', password: 's3cret:!' });
    expect(client.accept(server.challenges())).toBe(true);
    const req = (authorization: string | undefined): RtspRequest => ({
      method: 'DESCRIBE', uri: 'rtsp://127.0.0.1/cam', version: 'RTSP/1.0', headers: new RtspHeaders({ Authorization: authorization }), body: Buffer.alloc(0),
    });
    const first = client.authorize('DESCRIBE', 'rtsp://127.0.0.1/cam')!;
    expect(first).toMatch(/^Digest .*nc=00000001/);
    expect(client.authorize('DESCRIBE', 'rtsp://127.0.0.1/cam')).toMatch(/nc=00000002/);
    expect(await server.authenticate(req(first))).toBe(true);
    expect(await server.authenticate(req(first.replace('rtsp://127.0.0.1/cam', 'rtsp://127.0.0.1/other')))).toBe(false);
    expect(await server.authenticate(req(undefined))).toBe(false);
    const wrong = new ClientAuth({ username: 'op', password: 'guess' });
    wrong.accept(server.challenges());
    expect(await server.authenticate(req(wrong.authorize('DESCRIBE', 'rtsp://127.0.0.1/cam')))).toBe(false);
    expect(await server.authenticate(req(basicAuthorization({ username: 'op', password: 's3cret:!' })))).toBe(true);
    expect(await server.authenticate(req('Digest username="op", realm="vigil", nonce="forged.x", uri="rtsp://127.0.0.1/cam", response="00"'))).toBe(false);
  });

  it('takes percent-decoded credentials out of the URL', () => {
    const { url, credentials } = credentialsFromUrl('rtsp://ad%40min:p%3Ass%2Fw@192.0.2.1:8554/Streaming/Channels/101?x=1');
    expect(credentials).toEqual({ username: 'ad@min', password: 'p:ss/w' });
    expect(url.href).toBe('rtsp://192.0.2.1:8554/Streaming/Channels/101?x=1');
    expect(credentialsFromUrl('rtsp://h/x').credentials).toBeUndefined();
    expect(() => credentialsFromUrl('http://h/x')).toThrow(RtspError);
    expect(() => credentialsFromUrl('not a url')).toThrow(RtspError);
  });
});
