import { VigilError } from '../../errors.js';

export type BitstreamErrorCode = 'BITSTREAM_OVERRUN' | 'BITSTREAM_MALFORMED';

/** A read past the end of a syntax structure, or an Exp-Golomb code longer than the spec allows. */
export class BitstreamError extends VigilError {
  declare readonly code: BitstreamErrorCode;
  constructor(code: BitstreamErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'BitstreamError';
  }
}
