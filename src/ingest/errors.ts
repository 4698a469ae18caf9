import { VigilError, type ErrorDetail } from '../errors.js';
import type { SourceRefusalReason } from '../domain/source-policy.js';

export type IngestErrorCode =
  | 'INGEST_URL' // the source URL does not parse
  | 'INGEST_SCHEME' // no source registered for the URL's scheme
  | 'INGEST_CODEC' // the camera sends no video we can record (codec, missing parameter sets)
  | 'INGEST_STALL' // no media for too long
  | 'INGEST_POLICY' // opened without the source policy (a wiring mistake)
  | 'INGEST_CLOSED'; // the far end ended the session (a GB/T 28181 device's BYE)

/** A camera source that cannot be used. It comes from outside, so a bad gateway. */
export class IngestError extends VigilError {
  declare readonly code: IngestErrorCode;
  constructor(code: IngestErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'IngestError';
  }
}

/**
 * A camera source the policy does not allow (src/domain/source-policy.ts). Whatever the reason —
 * a file outside the media folder, a missing file, loopback, a name that does not resolve — users
 * see the same message, so the refusal tells nothing about what exists or answers; the reason is
 * for the server's log and the access register.
 */
export class SourceRefusedError extends VigilError {
  constructor(
    readonly reason: SourceRefusalReason,
    readonly range?: string,
    details: ErrorDetail[] = [],
  ) {
    super('SOURCE_NOT_ALLOWED', 'this camera source is not allowed', 403, details);
    this.name = 'SourceRefusedError';
  }
}

/** What users are told when a source could not be opened; the cause goes to the server's log only. */
export const SOURCE_UNAVAILABLE = 'the camera source could not be opened';
