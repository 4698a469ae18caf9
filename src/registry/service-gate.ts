import type { VigilError } from '../errors.js';

/**
 * Asked before a camera is recorded as in service: the refusal for each camera that may not be
 * yet, keyed by camera id (none when all may). The registry does not know systems or acceptance
 * (R7.1); whoever does — supervision — gives it this port, as the API gives it `RecordChange`.
 */
export type ServiceGate = (cameraIds: readonly number[]) => Promise<Map<number, VigilError>>;
