import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveControl } from './control-url.js';
import { SdpError } from './errors.js';
import { formatNptRange, parseRange } from './range.js';
import { buildSdp, serializeSdp } from './sdp-builder.js';
import { getAttribute, parseSdp, sessionRange } from './sdp.js';
import { describeTracks } from './tracks.js';

const corpus = (name: string) => readFileSync(new URL(`../../../test/corpus/sdp/${name}`, import.meta.url), 'utf8');

describe('SDP parsing (RFC 8866)', () => {
  it('reads GStreamer H.264 + AAC: rtpmap, fmtp, framerate, controls, range', () => {
    const desc = parseSdp(corpus('gstreamer-h264aac.sdp'));
    expect(desc.sessionName).toBe('Session streamed with GStreamer');
    expect(desc.origin?.address).toBe('127.0.0.1');
    expect(sessionRange(desc)).toMatchObject({ unit: 'npt', live: true });
    const [video, audio] = describeTracks(desc);
    expect(video).toMatchObject({ kind: 'video', codec: 'H264', payloadType: 96, clockRate: 90000, control: 'stream=0', framerate: 25 });
    expect(video!.h264!.packetizationMode).toBe(1);
    expect(video!.h264!.profileLevelId).toBe('42c015');
    expect(video!.h264!.parameterSets.map((b) => b[0]! & 0x1f)).toEqual([7, 8]);
    expect(audio).toMatchObject({ kind: 'audio', codec: 'MPEG4-GENERIC', clockRate: 44100, channels: 1 });
    expect(audio!.aac).toMatchObject({ mode: 'AAC-hbr', sizeLength: 13, indexLength: 3, indexDeltaLength: 3 });
    expect(audio!.aac!.config.toString('hex')).toBe('120856e500');
  });

  it('reads H.265 parameter sets from GStreamer and a camera-style description', () => {
    const [gst] = describeTracks(parseSdp(corpus('gstreamer-h265.sdp')));
    expect(gst!.codec).toBe('H265');
    expect(gst!.h265!.vps[0]![0]! >> 1).toBe(32);
    expect(gst!.h265!.sps[0]![0]! >> 1).toBe(33);
    expect(gst!.h265!.pps[0]![0]! >> 1).toBe(34);
    const tracks = describeTracks(parseSdp(corpus('dahua-style-h265.sdp')));
    expect(tracks.map((t) => [t.kind, t.codec, t.control])).toEqual([
      ['video', 'H265', 'trackID=0'],
      ['audio', 'MPEG4-GENERIC', 'trackID=1'],
      ['application', 'VND.ONVIF.METADATA', 'trackID=4'],
    ]);
    expect(tracks[0]!.framerate).toBe(25);
    expect(tracks[1]!.aac!.config.toString('hex')).toBe('1408');
  });

  it('knows static payload types without rtpmap and spaces in fmtp', () => {
    const hik = describeTracks(parseSdp(corpus('hikvision-style.sdp')));
    expect(hik[0]!.h264!.packetizationMode).toBe(1);
    expect(hik[0]!.h264!.parameterSets).toHaveLength(2);
    expect(hik[1]).toMatchObject({ codec: 'PCMA', clockRate: 8000, channels: 1 });
    const [pcmu] = describeTracks(parseSdp(corpus('static-pcmu.sdp')));
    expect(pcmu).toMatchObject({ codec: 'PCMU', clockRate: 8000, payloadType: 0 });
  });

  it('rejects what is not a description, and oversized ones, with typed errors', () => {
    expect(() => parseSdp('hello')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\nm=video\r\n')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\nm=video 99999 RTP/AVP 96\r\n')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\n' + 'a=x\r\n'.repeat(20_000))).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\n' + 'm=audio 0 RTP/AVP 0\r\n'.repeat(100))).toThrow(SdpError);
  });
});

describe('a=control resolution (RFC 2326 C.1.1)', () => {
  it.each([
    ['rtsp://h/live/', 'stream=0', 'rtsp://h/live/stream=0'],
    ['rtsp://h/live', 'trackID=1', 'rtsp://h/live/trackID=1'],
    ['rtsp://h/live', '*', 'rtsp://h/live'],
    ['rtsp://h/live', undefined, 'rtsp://h/live'],
    ['rtsp://h/live', 'rtsp://other/x/trackID=2', 'rtsp://other/x/trackID=2'],
    ['rtsp://h:554/a/b', '/abs/track1', 'rtsp://h:554/abs/track1'],
    ['rtsp://h/ch1?token=x', 'trackID=0', 'rtsp://h/ch1/trackID=0?token=x'],
    ['rtsp://h/ch1', '?ctype=video', 'rtsp://h/ch1?ctype=video'],
  ])('%s + %s → %s', (base, control, expected) => {
    expect(resolveControl(base, control)).toBe(expected);
  });
});

describe('ranges', () => {
  it('parses npt, now and clock forms', () => {
    expect(parseRange('npt=0.000-')).toMatchObject({ unit: 'npt', start: 0, live: false });
    expect(parseRange('npt=now-')).toMatchObject({ live: true });
    expect(parseRange('npt=00:01:02.5-120')).toMatchObject({ start: 62.5, end: 120 });
    expect(parseRange('clock=19961108T142300Z-')).toMatchObject({ unit: 'clock' });
    expect(parseRange('garbage')).toBeUndefined();
    expect(formatNptRange(1.5, 3)).toBe('npt=1.500-3.000');
  });
});

describe('SDP builder', () => {
  it('writes a description that parses back to the same tracks', () => {
    const text = buildSdp({
      sessionName: 'cam 1',
      tracks: [
        { kind: 'video', payloadType: 96, encoding: 'H264', clockRate: 90000, control: 'trackID=0', framerate: 25, fmtp: { 'packetization-mode': '1', 'sprop-parameter-sets': 'Z0LAFdoFB+wFqDAwNSgAAAMACAAAAwGUeLF1,aM48gA==' } },
        { kind: 'audio', payloadType: 8, encoding: 'PCMA', clockRate: 8000, channels: 1, control: 'trackID=1' },
      ],
    });
    expect(text.endsWith('\r\n')).toBe(true);
    const desc = parseSdp(text);
    expect(getAttribute(desc.attributes, 'control')).toBe('*');
    const [v, a] = describeTracks(desc);
    expect(v).toMatchObject({ codec: 'H264', control: 'trackID=0', framerate: 25 });
    expect(v!.h264!.parameterSets).toHaveLength(2);
    expect(a).toMatchObject({ codec: 'PCMA', control: 'trackID=1' });
  });

  it('re-serialises a parsed camera description without losing lines or letting values inject lines', () => {
    const desc = parseSdp(corpus('hikvision-style.sdp'));
    const again = parseSdp(serializeSdp(desc));
    expect(again.media.map((m) => m.attributes)).toEqual(desc.media.map((m) => m.attributes));
    desc.attributes.push({ name: 'x', value: 'a\r\nm=video 0 RTP/AVP 1' });
    expect(parseSdp(serializeSdp(desc)).media).toHaveLength(2);
  });
});
