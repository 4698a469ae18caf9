// The errors of the release masks, each with a stable code: a detector model that cannot be
// used is found when the masker starts, not at the first release.
import { VigilError } from '../errors.js';

export class MaskModelError extends VigilError {
  /** `said`: the whole message as another thread already worded it. */
  constructor(model: string, path: string, reason: string, said?: string) {
    super('MASK_MODEL_UNAVAILABLE', said ?? `The ${model} model at ${path} cannot be used: ${reason}`, 503);
  }
}

export class MaskSourceError extends VigilError {
  constructor(message: string) {
    super('MASK_SOURCE_INVALID', message, 422);
  }
}

export class MaskCancelledError extends VigilError {
  constructor() {
    super('MASK_CANCELLED', 'The masking was cancelled; no file was left', 409);
  }
}
