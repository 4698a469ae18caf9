import { VigilError } from '../../errors.js';

export type RtpErrorCode = 'RTP_MALFORMED' | 'RTCP_MALFORMED';

/** A packet that cannot be RTP or RTCP. Upstream data, so reported as a bad gateway. */
export class RtpError extends VigilError {
  declare readonly code: RtpErrorCode;
  constructor(code: RtpErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'RtpError';
  }
}
