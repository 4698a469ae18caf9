// The simulator's shared encoders, one per kind of picture. The live picture runs for the
// simulator's whole life (its parameter sets are in every camera's SDP); the fault pictures start
// when the first camera needs one and stop a little after the last camera leaves it.
import { SharedEncoder, type EncoderOptions } from './encoder.js';
import type { PictureKind } from './picture.js';

export type PoolOptions = Omit<EncoderOptions, 'kind'> & {
  /** How long an unused fault encoder keeps running, in case a camera wants it back (default 3 s). */
  lingerMs?: number;
};

export class EncoderPool {
  readonly live: SharedEncoder;
  private readonly encoders = new Map<PictureKind, SharedEncoder>();
  private readonly users = new Map<PictureKind, number>();
  private readonly stopTimers = new Map<PictureKind, NodeJS.Timeout>();

  constructor(private readonly options: PoolOptions) {
    this.live = this.encoder('live');
  }

  /** The encoder of `kind`, started if needed; pair every acquire with a release. */
  acquire(kind: PictureKind): SharedEncoder {
    const enc = this.encoder(kind);
    this.users.set(kind, (this.users.get(kind) ?? 0) + 1);
    clearTimeout(this.stopTimers.get(kind));
    this.stopTimers.delete(kind);
    enc.start();
    return enc;
  }

  release(kind: PictureKind): void {
    const n = Math.max(0, (this.users.get(kind) ?? 0) - 1);
    this.users.set(kind, n);
    if (n > 0 || kind === 'live') return;
    clearTimeout(this.stopTimers.get(kind));
    const timer = setTimeout(() => {
      this.stopTimers.delete(kind);
      if ((this.users.get(kind) ?? 0) === 0) this.encoders.get(kind)?.stop();
    }, this.options.lingerMs ?? 3000);
    timer.unref();
    this.stopTimers.set(kind, timer);
  }

  /**
   * The live picture encoded all-intra, for cameras asked for a keyframe (keyframe-on-demand.ts):
   * started by `startIntra` and run for the pool's life, as a real camera can always answer.
   */
  intra: SharedEncoder | undefined;

  startIntra(): SharedEncoder {
    this.intra ??= new SharedEncoder({ ...this.options, kind: 'live', everyFrameKey: true });
    this.intra.start();
    return this.intra;
  }

  /** Encoders running now, by kind. */
  running(): PictureKind[] {
    return [...this.encoders.values()].filter((e) => e.running).map((e) => e.kind);
  }

  pids(): number[] {
    return [...this.encoders.values(), ...(this.intra ? [this.intra] : [])].map((e) => e.pid).filter((p): p is number => p !== undefined);
  }

  close(): void {
    for (const t of this.stopTimers.values()) clearTimeout(t);
    this.stopTimers.clear();
    for (const e of this.encoders.values()) e.close();
    this.intra?.close();
  }

  private encoder(kind: PictureKind): SharedEncoder {
    let enc = this.encoders.get(kind);
    if (!enc) {
      enc = new SharedEncoder({ ...this.options, kind });
      this.encoders.set(kind, enc);
    }
    return enc;
  }
}
