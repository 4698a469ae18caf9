import { VigilError } from '../../errors.js';

export type H265ErrorCode = 'H265_MALFORMED' | 'H265_LIMIT';

/** H.265 (and RFC 7798 payload) that cannot be used. It comes from a camera, so a bad gateway. */
export class H265Error extends VigilError {
  declare readonly code: H265ErrorCode;
  constructor(code: H265ErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'H265Error';
  }
}
