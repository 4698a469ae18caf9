// AAC (RFC 3640 mpeg4-generic) and G.711 (RFC 3551 PCMA/PCMU) RTP tracks into audio frames.
// A track we cannot use (no AudioSpecificConfig, odd AU header sizes) is left out, not fatal:
// the video is what must be recorded.
import { parseAudioSpecificConfig } from '../media/audio/aac-config.js';
import { AacDepacketizer, type AudioFrame } from '../media/audio/aac-depacketizer.js';
import { AudioError } from '../media/audio/errors.js';
import { G711Depacketizer } from '../media/audio/g711.js';
import type { RtpPayloadPacket } from '../media/h264/access-unit.js';
import type { SdpTrack } from '../media/sdp/tracks.js';
import type { AudioTrackInfo } from './source.js';

export interface AudioTrackHandler {
  info: AudioTrackInfo;
  push(packet: RtpPayloadPacket): AudioFrame[];
}

export function audioTrackHandler(track: SdpTrack): AudioTrackHandler | undefined {
  try {
    if (track.codec === 'MPEG4-GENERIC' && track.aac && track.aac.config.length >= 2) {
      const config = parseAudioSpecificConfig(track.aac.config);
      const d = new AacDepacketizer({
        sizeLength: track.aac.sizeLength || 13,
        indexLength: track.aac.indexLength || 3,
        indexDeltaLength: track.aac.indexDeltaLength || 3,
        samplesPerFrame: config.samplesPerFrame,
      });
      return { info: { codec: 'aac', sampleRate: config.sampleRate, channels: config.channels, config: config.bytes }, push: (p) => d.push(p) };
    }
    if (track.codec === 'PCMA' || track.codec === 'PCMU') {
      const channels = track.channels ?? 1;
      const d = new G711Depacketizer(channels);
      return { info: { codec: track.codec === 'PCMA' ? 'pcma' : 'pcmu', sampleRate: track.clockRate, channels }, push: (p) => d.push(p) };
    }
  } catch (e) {
    if (e instanceof AudioError) return undefined;
    throw e;
  }
  return undefined;
}
