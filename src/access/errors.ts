// Access errors beyond the shared model: each with a stable code and status, like src/errors.ts.
import { VigilError } from '../errors.js';

export const AccessErrors = {
  locked: (until: number) => new VigilError('ACCOUNT_LOCKED', `too many failed sign-ins; try again after ${new Date(until).toISOString()}`, 423),
  totpRequired: () => new VigilError('TOTP_REQUIRED', 'enter the 6-digit code from your authenticator app', 401),
  enrolmentRequired: () =>
    new VigilError('TOTP_ENROLMENT_REQUIRED', 'your role needs a second factor: enrol an authenticator app before going on', 403),
  csrf: () => new VigilError('CSRF_REJECTED', 'the request lacks this session\'s x-csrf-token header', 403),
  streamToken: (reason: string) => new VigilError('STREAM_TOKEN_REJECTED', `the stream token is not valid: ${reason}`, 403),
  badDocument: (message: string) => new VigilError('DOCUMENT_REJECTED', message, 415),
};
