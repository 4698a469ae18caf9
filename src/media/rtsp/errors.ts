import { VigilError } from '../../errors.js';

export type RtspErrorCode =
  | 'RTSP_MALFORMED' // bytes that are not RTSP
  | 'RTSP_LIMIT' // a line, header block or body over its cap
  | 'RTSP_URL' // an address we cannot use
  | 'RTSP_CONNECT' // TCP/TLS connection failed or timed out
  | 'RTSP_TIMEOUT' // no complete response in time
  | 'RTSP_STALL' // no media in time after PLAY
  | 'RTSP_CLOSED' // the peer closed the connection
  | 'RTSP_AUTH' // credentials missing or refused
  | 'RTSP_STATUS' // a non-success status code
  | 'RTSP_REDIRECT' // too many or unusable redirects
  | 'RTSP_TRANSPORT' // no usable transport agreed
  | 'RTSP_STATE'; // a call out of order (PLAY before SETUP, …)

/** An RTSP failure; `status` is the RTSP status code for RTSP_STATUS/RTSP_AUTH when known. */
export class RtspError extends VigilError {
  declare readonly code: RtspErrorCode;
  readonly rtspStatus?: number;
  constructor(code: RtspErrorCode, message: string, rtspStatus?: number) {
    super(code, message, 502);
    this.name = 'RtspError';
    if (rtspStatus !== undefined) this.rtspStatus = rtspStatus;
  }
}

export function isRtspError(e: unknown): e is RtspError {
  return e instanceof RtspError;
}
