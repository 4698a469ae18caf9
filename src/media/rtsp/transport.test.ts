import { describe, expect, it } from 'vitest';
import { formatRtpInfo, formatSession, parsePublic, parseRtpInfo, parseSession } from './headers.js';
import { formatTransport, parseTransport } from './transport.js';

describe('Transport header (RFC 2326 §12.39)', () => {
  it('parses TCP interleaved, UDP ports, ssrc and mode', () => {
    const [tcp] = parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2b3C4d;mode="PLAY"');
    expect(tcp).toMatchObject({ profile: 'RTP/AVP', lower: 'TCP', multicast: false, interleaved: [0, 1], ssrc: 0x1a2b3c4d, mode: 'PLAY' });
    const [udp] = parseTransport('RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;source=10.0.0.1');
    expect(udp).toMatchObject({ lower: 'UDP', clientPort: [5000, 5001], serverPort: [6970, 6971], source: '10.0.0.1' });
    expect(parseTransport('RTP/AVP/UDP;unicast;client_port=5000')[0]!.clientPort).toEqual([5000, 5001]);
  });

  it('splits alternatives and skips what it cannot use', () => {
    const specs = parseTransport('RTP/AVP/SCTP;unicast, RTP/AVP;multicast;ttl=16;destination=224.2.0.1, RTP/AVP/TCP;interleaved=300-301, RTP/AVP/TCP;interleaved=2-3;x-foo=1');
    expect(specs.map((s) => [s.lower, s.multicast, s.interleaved])).toEqual([
      ['UDP', true, undefined],
      ['TCP', false, undefined],
      ['TCP', false, [2, 3]],
    ]);
    expect(specs[0]!.ttl).toBe(16);
    expect(specs[2]!.other).toEqual(['x-foo=1']);
  });

  it('formats what it parses', () => {
    const text = formatTransport({ lower: 'UDP', clientPort: [5000, 5001], serverPort: [7000, 7001], ssrc: 0xab });
    expect(text).toBe('RTP/AVP;unicast;client_port=5000-5001;server_port=7000-7001;ssrc=000000AB');
    expect(parseTransport(text)[0]).toMatchObject({ clientPort: [5000, 5001], serverPort: [7000, 7001], ssrc: 0xab });
    expect(formatTransport({ lower: 'TCP', interleaved: [4, 5] })).toBe('RTP/AVP/TCP;unicast;interleaved=4-5');
  });
});

describe('Session, RTP-Info and Public headers', () => {
  it('reads the session timeout', () => {
    expect(parseSession('47112344;timeout=30')).toEqual({ id: '47112344', timeout: 30 });
    expect(parseSession('abc')).toEqual({ id: 'abc' });
    expect(parseSession(';timeout=5')).toBeUndefined();
    expect(formatSession({ id: 'x', timeout: 60 })).toBe('x;timeout=60');
  });

  it('reads RTP-Info entries, even with commas in URLs', () => {
    const info = parseRtpInfo('url=rtsp://h/a,b/stream=0;seq=4321;rtptime=4294967295, url=rtsp://h/a,b/stream=1;seq=7');
    expect(info).toEqual([
      { url: 'rtsp://h/a,b/stream=0', seq: 4321, rtptime: 4294967295 },
      { url: 'rtsp://h/a,b/stream=1', seq: 7 },
    ]);
    expect(parseRtpInfo(formatRtpInfo(info))).toEqual(info);
    expect(parseRtpInfo('url=x;seq=99999999')).toEqual([{ url: 'x' }]);
  });

  it('reads Public method lists', () => {
    expect(parsePublic('OPTIONS, DESCRIBE,get_parameter')).toEqual(new Set(['OPTIONS', 'DESCRIBE', 'GET_PARAMETER']));
  });
});
