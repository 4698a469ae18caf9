import { VigilError } from '../../errors.js';

export type H264ErrorCode =
  | 'H264_MALFORMED' // a NAL unit or parameter set that does not parse
  | 'H264_LIMIT'; // a NAL unit or access unit over its size cap

/** H.264 (and RFC 6184 payload) that cannot be used. It comes from a camera, so a bad gateway. */
export class H264Error extends VigilError {
  declare readonly code: H264ErrorCode;
  constructor(code: H264ErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'H264Error';
  }
}
