import { VigilError } from '../errors.js';

export type PlaybackErrorCode =
  | 'PLAYBACK_RANGE' // the range is empty, too long, or outside what the stream token allows
  | 'PLAYBACK_NOT_FOUND' // no such fragment or file for this camera
  | 'PLAYBACK_INTEGRITY'; // a fragment on disk no longer matches its SHA-256 in the index

const STATUS: Record<PlaybackErrorCode, number> = { PLAYBACK_RANGE: 400, PLAYBACK_NOT_FOUND: 404, PLAYBACK_INTEGRITY: 409 };

export class PlaybackError extends VigilError {
  declare readonly code: PlaybackErrorCode;
  constructor(code: PlaybackErrorCode, message: string) {
    super(code, message, STATUS[code]);
    this.name = 'PlaybackError';
  }
}
