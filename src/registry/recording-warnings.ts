// Why a camera point will not be recorded although it looks as if it should: said in the answer
// to the change that made it so, rather than found out later from a hole in the footage. Each
// warning carries a stable code and parameters (the console words it in Chinese and English) and
// an English message for API clients.
import type { CameraStatus } from '../db/schema.js';

export interface RecordingWarning {
  code: 'NOT_RECORDED_STATUS' | 'NOT_RECORDED_NO_SOURCE';
  params: Record<string, string>;
  message: string;
}

export function recordingWarnings(camera: { status: CameraStatus; sourceUrl: string | null }): RecordingWarning[] {
  if (camera.sourceUrl && camera.status !== 'in_service') {
    return [{
      code: 'NOT_RECORDED_STATUS',
      params: { status: camera.status },
      message: `this camera has a stream address but its status is "${camera.status}": only cameras in service are recorded; set the status to in_service to record it`,
    }];
  }
  if (!camera.sourceUrl && camera.status === 'in_service') {
    return [{ code: 'NOT_RECORDED_NO_SOURCE', params: {}, message: 'this camera is in service but has no stream address: it cannot be recorded until one is set' }];
  }
  return [];
}
