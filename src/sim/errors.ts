import { VigilError } from '../errors.js';

export type SimErrorCode =
  | 'SIM_ENCODER' // the shared ffmpeg encoder could not start or produced no picture
  | 'SIM_CAMERA' // a camera name the simulator does not serve
  | 'SIM_FAULT' // a fault mode the simulator does not know
  | 'SIM_CLOSED'; // the simulator was closed

/** A camera simulator failure; user-visible through the CLI and the control endpoint. */
export class SimError extends VigilError {
  declare readonly code: SimErrorCode;
  constructor(code: SimErrorCode, message: string) {
    super(code, message, code === 'SIM_CAMERA' ? 404 : code === 'SIM_FAULT' ? 400 : 503);
    this.name = 'SimError';
  }
}
