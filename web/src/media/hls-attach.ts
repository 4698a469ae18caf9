// hls.js (loaded only when needed) or the browser's own HLS where it has one.
export interface HlsHandle {
  destroy(): void;
}

export async function attachHls(video: HTMLVideoElement, url: string, opts: { live: boolean; startPosition?: number }): Promise<HlsHandle> {
  const { default: Hls } = await import('hls.js');
  if (!Hls.isSupported()) {
    if (!video.canPlayType('application/vnd.apple.mpegurl')) throw new Error('this browser plays neither HLS nor Media Source Extensions');
    video.src = url;
    if (opts.startPosition !== undefined) video.currentTime = opts.startPosition;
    void video.play().catch(() => undefined);
    return { destroy: () => video.removeAttribute('src') };
  }
  const hls = new Hls({
    lowLatencyMode: opts.live,
    startPosition: opts.startPosition ?? -1,
    // Cookies go along (the session); the media URLs themselves carry the session's id.
    xhrSetup: (xhr) => {
      xhr.withCredentials = true;
    },
    backBufferLength: opts.live ? 10 : 60,
  });
  const fatal = new Promise<never>((_resolve, reject) => {
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) reject(new Error(`HLS: ${data.details}`));
    });
  });
  fatal.catch(() => undefined);
  hls.loadSource(url);
  hls.attachMedia(video);
  await Promise.race([
    new Promise<void>((resolve) => hls.once(Hls.Events.MANIFEST_PARSED, () => resolve())),
    fatal,
  ]);
  void video.play().catch(() => undefined);
  return { destroy: () => hls.destroy() };
}
