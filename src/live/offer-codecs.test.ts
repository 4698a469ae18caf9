import { describe, expect, it } from 'vitest';
import { LiveError } from './errors.js';
import { chooseOffered, restrictOffer, videoSection } from './offer-codecs.js';

// The shape of a Chromium recvonly offer (payload types and fmtp as Chromium writes them).
const OFFER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 39 40',
  'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=recvonly',
  'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000', 'a=fmtp:103 apt=102',
  'a=rtpmap:104 H264/90000', 'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:105 rtx/90000',
  'a=rtpmap:39 H264/90000', 'a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f',
  'a=rtpmap:40 rtx/90000', '',
].join('\r\n');

describe('offer codecs', () => {
  it('prefers H.264 packetization-mode 1 in the camera\'s profile, else any mode-1 H.264', () => {
    const codecs = videoSection(OFFER).codecs;
    expect(chooseOffered(codecs, 'h264', 100)?.payloadType).toBe(39);
    expect(chooseOffered(codecs, 'h264', 77)?.payloadType).toBe(102);
    expect(chooseOffered(codecs, 'h265')).toBeUndefined();
  });

  it('keeps only the chosen payload type in the video section', () => {
    const out = restrictOffer(OFFER, 39);
    expect(out).toContain('m=video 9 UDP/TLS/RTP/SAVPF 39\r\n');
    expect(out).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(96|97|102|103|104|105|40) /);
    expect(videoSection(out).codecs.map((c) => c.payloadType)).toEqual([39]);
  });

  it('refuses offers without video and oversized ones with a typed error', () => {
    expect(() => videoSection('v=0\r\nm=audio 9 RTP/AVP 0\r\n')).toThrow(LiveError);
    expect(() => videoSection('x'.repeat(70_000))).toThrow(LiveError);
  });
});
