// A source opened only after the source guard allows it: the wrapper every registered scheme
// is created through. A file source opens the path the guard followed (links resolved), an RTSP
// source checks the host of every connection it makes (redirects too) and connects to the checked
// address, and an ONVIF source checks every SOAP call and then the stream address the device
// reports, which is opened through this same wrapper.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import type { SourceGuard } from './source-guard.js';
import type { MediaSource, SourceEvents, SourceFactory, SourceOptions, SourceStats } from './source.js';

const FORWARDED = ['info', 'frame', 'clockJump', 'notice', 'error', 'close'] as const;

export class GuardedSource extends EventEmitter<SourceEvents> implements MediaSource {
  private inner: MediaSource | undefined;
  private closed = false;

  /** The scheme's own source, once the guard allowed it and it was created. */
  get opened(): MediaSource | undefined {
    return this.inner;
  }

  constructor(
    private readonly url: URL,
    readonly displayUrl: string,
    private readonly factory: SourceFactory,
    private readonly guard: SourceGuard,
    private readonly options: SourceOptions,
  ) {
    super();
  }

  get stats(): SourceStats {
    return this.inner?.stats ?? { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  }

  async start(): Promise<void> {
    const allowed = await this.guard.admit(this.url.href);
    if (this.closed) return;
    let target = this.url;
    const options: SourceOptions = { ...this.options };
    if (allowed.kind === 'file') {
      target = pathToFileURL(allowed.path);
      target.search = this.url.search;
    } else if (allowed.kind === 'network') {
      options.admit = (u: URL) => this.guard.admitAddress(u);
    }
    const inner = this.factory(target, options);
    this.inner = inner;
    for (const ev of FORWARDED) inner.on(ev, (...args: unknown[]) => (this.emit as (e: string, ...a: unknown[]) => boolean)(ev, ...args));
    await inner.start();
  }

  /** The scheme's own source asks its camera, where it can (MediaSource.requestKeyframe). */
  async requestKeyframe(): Promise<boolean> {
    return (await this.inner?.requestKeyframe?.()) ?? false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inner) await this.inner.close();
    else this.emit('close');
  }
}
