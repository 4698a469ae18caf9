// Seeded mutations of real AAC (an ffmpeg-made ADTS stream, packetized into RFC 3640 payloads
// here) for the AudioSpecificConfig parser, the ADTS splitter and the AAC-hbr depacketizer.
import { beforeAll, describe, expect, it } from 'vitest';
import { fuzz } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { decodeRtpRecords, encodeRtpRecords, mediaFixture } from '../../../test/support/media-fixtures.js';
import { parseAudioSpecificConfig, splitAdts } from './aac-config.js';
import { AacDepacketizer } from './aac-depacketizer.js';
import { AudioError } from './errors.js';

let adts: Buffer;
let rtp: Buffer;

beforeAll(async () => {
  adts = (await mediaFixture('aac.adts')).bytes.subarray(0, 3000);
  const frames = splitAdts(adts).frames;
  // Two AUs per packet, RFC 3640 AU-headers (13-bit size, 3-bit index).
  const packets = [];
  for (let i = 0; i + 1 < frames.length; i += 2) {
    const [a, b] = [frames[i]!, frames[i + 1]!];
    const h = Buffer.from([0, 32, a.length >> 5, (a.length & 0x1f) << 3, b.length >> 5, (b.length & 0x1f) << 3]);
    packets.push({ payload: Buffer.concat([h, a, b]), marker: true, sequenceNumber: 65534 + i / 2, timestamp: i * 1024 });
  }
  rtp = encodeRtpRecords(packets);
});

describe('audio fuzz', () => {
  it('AudioSpecificConfig and ADTS parsing throw only AudioError', () => {
    const corpus = [Buffer.from('1210', 'hex'), Buffer.from('1190', 'hex'), Buffer.from([0x17, 0x80, 0x1f, 0x40, 0x08]), adts];
    const r = fuzz(corpus, 10000, 0x3640, (b) => {
      parseAudioSpecificConfig(b);
    }, (e) => e instanceof AudioError);
    expect(r.untyped).toEqual([]);
    const s = fuzz([adts], 1000, 0xad75, (b) => splitAdts(b), (e) => e instanceof AudioError);
    expect(s.untyped).toEqual([]);
  });

  it('the AAC-hbr depacketizer never throws and keeps frames within their packets', () => {
    const r = fuzz([rtp], 2000, 0xaac, (b) => {
      const d = new AacDepacketizer();
      for (const p of decodeRtpRecords(b)) for (const f of d.push(p)) if (f.data.length > 1 << 16) throw new Error('frame too large');
    }, () => false);
    expect(r.untyped).toEqual([]);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });
});
