import { VigilError } from '../errors.js';

export type IngestErrorCode =
  | 'INGEST_URL' // the source URL does not parse
  | 'INGEST_SCHEME' // no source registered for the URL's scheme
  | 'INGEST_CODEC' // the camera sends no video we can record (codec, missing parameter sets)
  | 'INGEST_STALL' // no media for too long
  | 'INGEST_CLOSED'; // the far end ended the session (a GB/T 28181 device's BYE)

/** A camera source that cannot be used. It comes from outside, so a bad gateway. */
export class IngestError extends VigilError {
  declare readonly code: IngestErrorCode;
  constructor(code: IngestErrorCode, message: string) {
    super(code, message, 502);
    this.name = 'IngestError';
  }
}
