import { VigilError } from '../errors.js';

export type OnvifErrorCode =
  | 'ONVIF_XML' // a reply that is not well-formed XML (or uses DOCTYPE, which we refuse)
  | 'ONVIF_LIMIT' // a reply over its size, depth or element cap
  | 'ONVIF_HTTP' // the device could not be reached or answered with an HTTP error
  | 'ONVIF_TIMEOUT' // no complete answer in time
  | 'ONVIF_AUTH' // credentials missing or refused
  | 'ONVIF_FAULT' // a SOAP fault other than an authentication failure
  | 'ONVIF_RESPONSE' // well-formed XML without the element the call returns
  | 'ONVIF_ADDRESS' // a device address we cannot use
  | 'ONVIF_REQUEST'; // a command we cannot turn into an ONVIF call (a malformed PTZCmd)

/** An ONVIF device that cannot be used. It is outside the platform, so a bad gateway. */
export class OnvifError extends VigilError {
  declare readonly code: OnvifErrorCode;
  constructor(code: OnvifErrorCode, message: string) {
    super(code, message, code === 'ONVIF_ADDRESS' || code === 'ONVIF_REQUEST' ? 400 : 502);
    this.name = 'OnvifError';
  }
}
