import { describe, expect, it } from 'vitest';
import { parseRtpPacket } from '../rtp/rtp-packet.js';
import { captureRtp, ffprobeJson, mediaFixture } from '../../../test/support/media-fixtures.js';
import { makeAudioSpecificConfig, parseAacConfigHex, parseAudioSpecificConfig, splitAdts } from './aac-config.js';
import { AacDepacketizer } from './aac-depacketizer.js';
import { AudioError } from './errors.js';
import { G711Depacketizer } from './g711.js';

const SINE = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=1'];

describe('AudioSpecificConfig', () => {
  it('reads what ffprobe reads from an ADTS stream', async () => {
    const f = await mediaFixture('aac.adts');
    const [probe] = (await ffprobeJson(f.path, ['-show_streams'])).streams;
    const { config, frames } = splitAdts(f.bytes);
    expect(probe.profile).toBe('LC');
    expect(config.objectType).toBe(2);
    expect([config.sampleRate, config.channels]).toEqual([Number(probe.sample_rate), probe.channels]);
    expect(frames.length).toBeGreaterThan(80);
  });

  it('parses SDP config= values, including the escape for explicit rates', () => {
    expect(parseAacConfigHex('1210')).toMatchObject({ objectType: 2, sampleRate: 44100, channels: 2, samplesPerFrame: 1024 });
    expect(parseAacConfigHex('1588')).toMatchObject({ objectType: 2, sampleRate: 8000, channels: 1 });
    // samplingFrequencyIndex 15: 24-bit explicit rate (here 16000).
    const explicit = Buffer.from([0x17, 0x80, 0x1f, 0x40, 0x08]);
    expect(parseAudioSpecificConfig(explicit)).toMatchObject({ objectType: 2, sampleRate: 16000, channels: 1 });
    expect(makeAudioSpecificConfig(2, 48000, 2).toString('hex')).toBe('1190');
    expect(() => parseAacConfigHex('zz')).toThrow(AudioError);
    expect(() => parseAudioSpecificConfig(Buffer.from([0x16]))).toThrow(AudioError); // cut short
    expect(() => parseAudioSpecificConfig(Buffer.from([0x16, 0x80]))).toThrow(AudioError); // reserved index 13
  });
});

describe('AAC over RTP (RFC 3640 AAC-hbr)', () => {
  it('recovers every frame ffmpeg sends, each 1024 samples apart', async () => {
    const cap = await captureRtp(SINE, ['-c:a', 'aac', '-ac', '2', '-b:a', '96k'], 'adts');
    const d = new AacDepacketizer();
    const frames = cap.packets.map(parseRtpPacket).flatMap((p) => d.push(p));
    const want = splitAdts(cap.elementary).frames;
    expect(d.stats.lostPackets).toBe(0);
    // ffmpeg's RTP muxer keeps its last AU buffered at end of stream and never sends it.
    expect(frames.length).toBeGreaterThanOrEqual(want.length - 1);
    expect(frames.length).toBeGreaterThan(40);
    frames.forEach((f, i) => expect(f.data.equals(want[i]!)).toBe(true));
    expect(frames.slice(1).every((f, i) => f.pts - frames[i]!.pts === 1024)).toBe(true);
  });

  it('reassembles an AU fragmented over packets and drops it when a fragment is lost', () => {
    const au = Buffer.alloc(3000, 7);
    const header = Buffer.from([0, 16, (au.length >> 5) & 0xff, (au.length & 0x1f) << 3]);
    const pkt = (seq: number, data: Buffer, marker: boolean) => ({
      payload: Buffer.concat([header, data]), sequenceNumber: seq, timestamp: 5000, marker,
    });
    const parts = [au.subarray(0, 1200), au.subarray(1200, 2400), au.subarray(2400)];
    const d = new AacDepacketizer();
    expect(d.push(pkt(1, parts[0]!, false))).toEqual([]);
    expect(d.push(pkt(2, parts[1]!, false))).toEqual([]);
    const [frame] = d.push(pkt(3, parts[2]!, true));
    expect(frame!.data.equals(au)).toBe(true);

    const lossy = new AacDepacketizer();
    lossy.push(pkt(1, parts[0]!, false));
    expect(lossy.push(pkt(3, parts[2]!, true))).toEqual([]);
    expect(lossy.stats.droppedFrames).toBe(1);
  });

  it('counts malformed payloads instead of throwing', () => {
    const d = new AacDepacketizer();
    expect(d.push({ payload: Buffer.from([0, 16, 0xff, 0xf8, 1, 2]), sequenceNumber: 1, timestamp: 0, marker: true })).toEqual([]);
    expect(d.push({ payload: Buffer.from([0xff, 0xff]), sequenceNumber: 2, timestamp: 0, marker: true })).toEqual([]);
    expect(d.stats.malformedPackets).toBe(2);
  });
});

describe('G.711 over RTP', () => {
  it('passes PCMA samples through unchanged, timestamps counting samples', async () => {
    const cap = await captureRtp(SINE, ['-ar', '8000', '-ac', '1', '-c:a', 'pcm_alaw'], 'alaw');
    const rtp = cap.packets.map(parseRtpPacket);
    expect(rtp[0]!.payloadType).toBe(8);
    const d = new G711Depacketizer();
    const frames = rtp.flatMap((p) => d.push(p));
    expect(Buffer.concat(frames.map((f) => f.data)).equals(cap.elementary)).toBe(true);
    expect(frames.slice(1).every((f, i) => f.pts - frames[i]!.pts === frames[i]!.data.length)).toBe(true);
  });
});
