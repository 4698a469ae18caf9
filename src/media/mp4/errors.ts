import { VigilError } from '../../errors.js';

export type Mp4ErrorCode =
  | 'MP4_MALFORMED' // boxes or tables that do not parse or contradict each other
  | 'MP4_LIMIT' // a box or table over its cap
  | 'MP4_UNSUPPORTED'; // valid ISO BMFF we do not read (stz2, sample data in another file, …)

/** An MP4 file (ISO/IEC 14496-12) we cannot demux. The file is input, so unprocessable. */
export class Mp4Error extends VigilError {
  declare readonly code: Mp4ErrorCode;
  constructor(code: Mp4ErrorCode, message: string) {
    super(code, message, 422);
    this.name = 'Mp4Error';
  }
}
