import { VigilError } from '../../errors.js';

export type SipErrorCode =
  | 'SIP_MALFORMED' // bytes that are not a SIP message, or a header we cannot read
  | 'SIP_LIMIT' // a line, header count, header block or body over its cap
  | 'SIP_TIMEOUT' // a transaction got no final response (Timer B / Timer F)
  | 'SIP_TRANSPORT' // the socket failed or the peer cannot be reached
  | 'SIP_STATUS' // a non-success final response
  | 'SIP_BODY'; // a MANSCDP body that is not XML we can read, or an unknown charset

/** A SIP failure; `sipStatus` is the response's status code for SIP_STATUS. */
export class SipError extends VigilError {
  declare readonly code: SipErrorCode;
  readonly sipStatus?: number;
  constructor(code: SipErrorCode, message: string, sipStatus?: number) {
    super(code, message, 502);
    this.name = 'SipError';
    if (sipStatus !== undefined) this.sipStatus = sipStatus;
  }
}

export function isSipError(e: unknown): e is SipError {
  return e instanceof SipError;
}
