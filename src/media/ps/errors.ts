import { VigilError } from '../../errors.js';

export type PsErrorCode =
  | 'PS_MALFORMED' // a header whose fields do not fit (lengths past the end, bad markers)
  | 'PS_LIMIT'; // a unit over its cap (an unbounded PES that never ends)

export class PsError extends VigilError {
  declare readonly code: PsErrorCode;
  constructor(code: PsErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'PsError';
  }
}
