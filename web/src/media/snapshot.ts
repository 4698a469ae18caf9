// Snapshot of what a <video> shows, as a PNG the browser downloads.

/** Draws the current picture onto a canvas at its native size. */
export function captureFrame(video: HTMLVideoElement): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  if (!canvas.width || !canvas.height) throw new Error('no picture to take');
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  return canvas;
}

/** "东门 2026-11-01 08-30-05.png": camera and local time, safe as a file name. */
export function snapshotName(camera: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}-${p(at.getMinutes())}-${p(at.getSeconds())}`;
  return `${camera.replace(/[\\/:*?"<>|]+/g, '_')} ${time}.png`;
}

export async function downloadSnapshot(video: HTMLVideoElement, camera: string, at = new Date()): Promise<string> {
  const canvas = captureFrame(video);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the picture could not be encoded');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = snapshotName(camera, at);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return a.download;
}

/** Full screen for an element, or back. */
export function toggleFullscreen(el: HTMLElement): void {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void el.requestFullscreen?.();
}
