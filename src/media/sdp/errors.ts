import { VigilError } from '../../errors.js';

export type SdpErrorCode = 'SDP_MALFORMED' | 'SDP_TOO_LARGE';

/** A session description that cannot be used. It comes from a camera, so a bad gateway. */
export class SdpError extends VigilError {
  declare readonly code: SdpErrorCode;
  constructor(code: SdpErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'SdpError';
  }
}
