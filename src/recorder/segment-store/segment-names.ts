// How recording files are named: <dataDir>/recordings/<cameraId>/<YYYY-MM-DD>/<cameraId>-<startMs>.mp4,
// with the UTC date of the file's first frame. The index stores the path relative to dataDir.

export const RECORDINGS_DIR = 'recordings';

export interface SegmentName {
  cameraId: number;
  startMs: number;
}

const NAME = /^recordings\/(\d+)\/(\d{4}-\d{2}-\d{2})\/(\d+)-(\d+)\.mp4$/;

export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Path relative to dataDir, always with forward slashes. */
export function segmentPath(cameraId: number, startMs: number): string {
  if (!Number.isSafeInteger(cameraId) || cameraId <= 0) throw new RangeError(`bad camera id ${cameraId}`);
  if (!Number.isSafeInteger(startMs) || startMs < 0) throw new RangeError(`bad start time ${startMs}`);
  return `${RECORDINGS_DIR}/${cameraId}/${utcDate(startMs)}/${cameraId}-${startMs}.mp4`;
}

/** The camera and start time a relative path names, or undefined when it is not one of ours. */
export function parseSegmentPath(path: string): SegmentName | undefined {
  const m = NAME.exec(path);
  if (!m) return undefined;
  const cameraId = Number(m[1]);
  const startMs = Number(m[4]);
  if (Number(m[3]) !== cameraId || !Number.isSafeInteger(startMs) || utcDate(startMs) !== m[2]) return undefined;
  return { cameraId, startMs };
}
