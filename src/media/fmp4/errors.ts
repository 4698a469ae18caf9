import { VigilError } from '../../errors.js';

export type Fmp4ErrorCode =
  | 'FMP4_MALFORMED' // boxes that do not parse
  | 'FMP4_LIMIT' // a box or table over its size cap
  | 'FMP4_CONFIG'; // a muxer configuration that cannot be written (missing parameter sets, …)

export class Fmp4Error extends VigilError {
  declare readonly code: Fmp4ErrorCode;
  constructor(code: Fmp4ErrorCode, message: string) {
    super(code, message, code === 'FMP4_CONFIG' ? 500 : 422);
    this.name = 'Fmp4Error';
  }
}
