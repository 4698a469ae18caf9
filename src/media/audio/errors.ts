import { VigilError } from '../../errors.js';

export type AudioErrorCode = 'AUDIO_MALFORMED' | 'AUDIO_UNSUPPORTED';

/** Audio configuration or payload that cannot be used. It comes from a camera, so a bad gateway. */
export class AudioError extends VigilError {
  declare readonly code: AudioErrorCode;
  constructor(code: AudioErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'AudioError';
  }
}
