// Access errors beyond the shared model: each with a stable code and status, like src/errors.ts.
import { RateLimitedError, VigilError } from '../errors.js';

export const AccessErrors = {
  /** The one answer to every failed sign-in, whatever failed. */
  signInFailed: () => new VigilError('UNAUTHENTICATED', 'wrong login name, password or code', 401),
  signInThrottled: (waitMs: number) => new RateLimitedError(`too many failed sign-ins from this address; try again in ${Math.ceil(waitMs / 1000)} s`, waitMs),
  tooManyRequests: (waitMs: number) => new RateLimitedError(`too many requests; try again in ${Math.ceil(waitMs / 1000)} s`, waitMs),
  /** Separation of duties: the role may not be held together with one the person holds. */
  dutiesIncompatible: (message: string) => new VigilError('DUTIES_INCOMPATIBLE', message, 409),
  passwordChangeRequired: () =>
    new VigilError('PASSWORD_CHANGE_REQUIRED', 'an administrator set your password: choose your own before going on', 403),
  enrolmentRequired: () =>
    new VigilError('TOTP_ENROLMENT_REQUIRED', 'your role needs a second factor: enrol an authenticator app before going on', 403),
  csrf: () => new VigilError('CSRF_REJECTED', 'the request lacks this session\'s x-csrf-token header', 403),
  streamToken: (reason: string) => new VigilError('STREAM_TOKEN_REJECTED', `the stream token is not valid: ${reason}`, 403),
  /** A playback token used for the other footage source (this platform's recording vs the device's own): the use registered at issue named the other. */
  streamTokenSource: (reason: string) => new VigilError('STREAM_TOKEN_WRONG_SOURCE', `the stream token does not open this footage: ${reason}`, 403),
  badDocument: (message: string) => new VigilError('DOCUMENT_REJECTED', message, 415),
};
