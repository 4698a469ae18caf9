// MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) and ADTS framing (§1.A.2), the two ways
// an AAC stream states its object type, sample rate and channels.
import { BitReader } from '../bits/bit-reader.js';
import { BitstreamError } from '../bits/errors.js';
import { AudioError } from './errors.js';

export interface AacConfig {
  /** audioObjectType: 2 = AAC-LC, 5 = SBR (HE-AAC), 29 = PS … */
  objectType: number;
  sampleRate: number;
  channels: number;
  /** PCM samples per AAC frame: 1024, or 960 with frameLengthFlag. */
  samplesPerFrame: number;
  /** The AudioSpecificConfig bytes, for an esds box or an SDP `config=`. */
  bytes: Buffer;
}

// Table 1.18 samplingFrequencyIndex.
export const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAudioSpecificConfig(bytes: Buffer): AacConfig {
  try {
    const r = new BitReader(bytes);
    let objectType = r.u(5);
    if (objectType === 31) objectType = 32 + r.u(6);
    const index = r.u(4);
    const sampleRate = index === 15 ? r.u(24) : AAC_SAMPLE_RATES[index];
    if (!sampleRate) throw new AudioError('AUDIO_MALFORMED', `samplingFrequencyIndex ${index} is reserved`);
    const channelConfig = r.u(4);
    // §1.6.3.5: configurations 1–6 are that many channels, 7 is 7.1; 0 means a PCE we do not read.
    const channels = channelConfig === 7 ? 8 : channelConfig;
    if (channels === 0 || channelConfig > 7) throw new AudioError('AUDIO_UNSUPPORTED', `channelConfiguration ${channelConfig} is not supported`);
    let samplesPerFrame = 1024;
    // GASpecificConfig frameLengthFlag, for the object types that have one (§4.4.1).
    if ([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23].includes(objectType) && r.bitsLeft > 0 && r.flag()) samplesPerFrame = 960;
    return { objectType, sampleRate, channels, samplesPerFrame, bytes };
  } catch (e) {
    if (e instanceof BitstreamError) throw new AudioError('AUDIO_MALFORMED', `AudioSpecificConfig: ${e.message}`);
    throw e;
  }
}

/** The `config=` hex string of an RFC 3640 / RFC 3016 fmtp line. */
export function parseAacConfigHex(hex: string): AacConfig {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new AudioError('AUDIO_MALFORMED', 'config= is not hexadecimal');
  return parseAudioSpecificConfig(Buffer.from(hex, 'hex'));
}

/** Builds a two-byte AudioSpecificConfig (object type < 31, a table sample rate). */
export function makeAudioSpecificConfig(objectType: number, sampleRate: number, channels: number): Buffer {
  const index = AAC_SAMPLE_RATES.indexOf(sampleRate);
  if (index < 0 || objectType < 1 || objectType > 30 || channels < 1 || channels > 7) {
    throw new AudioError('AUDIO_UNSUPPORTED', `no AudioSpecificConfig for type ${objectType} at ${sampleRate} Hz × ${channels}`);
  }
  return Buffer.from([(objectType << 3) | (index >> 1), ((index & 1) << 7) | (channels << 3)]);
}

export interface AdtsStream {
  config: AacConfig;
  /** Raw AAC frames (ADTS headers removed): views into the input. */
  frames: Buffer[];
}

/** Splits an ADTS stream into raw frames; stops at the first header that does not parse. */
export function splitAdts(buf: Buffer): AdtsStream {
  const frames: Buffer[] = [];
  let config: AacConfig | undefined;
  let o = 0;
  while (o + 7 <= buf.length) {
    if (buf[o] !== 0xff || (buf[o + 1]! & 0xf6) !== 0xf0) break; // syncword, layer 0
    const protectionAbsent = buf[o + 1]! & 1;
    const profile = buf[o + 2]! >> 6;
    const index = (buf[o + 2]! >> 2) & 0x0f;
    const channels = ((buf[o + 2]! & 1) << 2) | (buf[o + 3]! >> 6);
    const length = ((buf[o + 3]! & 3) << 11) | (buf[o + 4]! << 3) | (buf[o + 5]! >> 5);
    const header = protectionAbsent ? 7 : 9;
    if (length < header || o + length > buf.length) break;
    config ??= parseAudioSpecificConfig(makeAudioSpecificConfig(profile + 1, AAC_SAMPLE_RATES[index] ?? -1, channels));
    if (length > header) frames.push(buf.subarray(o + header, o + length)); // empty frames carry nothing
    o += length;
  }
  if (!config) throw new AudioError('AUDIO_MALFORMED', 'no ADTS frame found');
  return { config, frames };
}
