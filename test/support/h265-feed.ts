// H.265 pictures for the GB/T 28181 device simulator, as a device that records in H.265 sends
// them: the 2 s testsrc2 fixture (libx265, a keyframe a second), its access units at 25 frames/s,
// round and round, to every subscriber.
import type { EncodedFrame } from '../../src/sim/encoder.js';
import type { FrameFeed } from '../../src/sim/gb-media-sender.js';
import { groupAccessUnits, splitAnnexB } from '../../src/media/h264/annexb.js';
import { h265NalType, isH265Irap } from '../../src/media/h265/nal.js';
import { mediaFixture } from './media-fixtures.js';

export class H265LoopFeed implements FrameFeed {
  readonly codec = 'h265';
  private readonly listeners = new Set<(f: EncodedFrame) => void>();
  private timer: NodeJS.Timeout | undefined;
  private index = 0;

  private constructor(private readonly units: Buffer[][]) {}

  static async open(): Promise<H265LoopFeed> {
    const f = await mediaFixture('h265-360p.h265');
    const units = groupAccessUnits(splitAnnexB(f.bytes), 'h265');
    if (!units.length || !units[0]!.some((n) => isH265Irap(h265NalType(n)))) throw new Error('the H.265 fixture does not start with a keyframe');
    return new H265LoopFeed(units);
  }

  subscribe(listener: (frame: EncodedFrame) => void): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => this.tick(), 40);
    return () => {
      this.listeners.delete(listener);
      if (!this.listeners.size) this.close();
    };
  }

  private tick(): void {
    const nalus = this.units[this.index % this.units.length]!;
    const keyframe = nalus.some((n) => isH265Irap(h265NalType(n)));
    const frame: EncodedFrame = { index: this.index++, keyframe, nalus, payloads: [], bytes: nalus.reduce((a, n) => a + n.length, 0), receivedAt: Date.now() };
    for (const l of this.listeners) l(frame);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
