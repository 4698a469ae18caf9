import { VigilError } from '../errors.js';

export type LiveErrorCode =
  | 'LIVE_NO_CAMERA' // the camera does not exist or has no source URL
  | 'LIVE_SOURCE' // the camera's source could not be opened
  | 'LIVE_OFFER' // the WebRTC offer cannot be answered (no usable video codec, bad SDP)
  | 'LIVE_SESSION' // an unknown or closed viewing session
  | 'LIVE_TOKEN' // no stream token given
  | 'LIVE_TIMEOUT' // media did not arrive in time
  | 'LIVE_TRANSCODE'; // the on-demand transcoder failed

const STATUS: Record<LiveErrorCode, number> = {
  LIVE_NO_CAMERA: 404,
  LIVE_SOURCE: 502,
  LIVE_OFFER: 400,
  LIVE_SESSION: 404,
  LIVE_TOKEN: 401,
  LIVE_TIMEOUT: 504,
  LIVE_TRANSCODE: 502,
};

export class LiveError extends VigilError {
  declare readonly code: LiveErrorCode;
  constructor(code: LiveErrorCode, message: string) {
    super(code, message, STATUS[code]);
    this.name = 'LiveError';
  }
}
