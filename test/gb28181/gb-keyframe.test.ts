// A GB/T 28181 channel opened cold by the stream hub is asked for a keyframe (DeviceControl
// IFameCmd Send through the platform, as soon as the INVITE's stream runs), and the simulated
// device, whose channel's encoder honours it (src/sim/keyframe-on-demand.ts), sends an IDR before
// its GOP would have: the first picture the viewer gets is the one made on request, judged by the
// device's count of requests honoured when that picture arrived, not by time. Both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamHub } from '../../src/live/stream-hub.js';
import { SharedEncoder } from '../../src/sim/encoder.js';
import { KeyframeOnDemandFeed } from '../../src/sim/keyframe-on-demand.js';
import { DIALECTS } from '../support/databases.js';
import { GB_CHANNEL, GB_NVR, gbWorld, type GbWorld } from '../support/gb-sim.js';

// 20 s at 25 fps: the channel's own next keyframe is far off, a request answered well before it.
const GOP = 500;

describe.each(DIALECTS)('a GB/T 28181 channel asked for a keyframe (%s)', (dialect) => {
  let line: SharedEncoder;
  let intra: SharedEncoder;
  let feed: KeyframeOnDemandFeed;
  let w: GbWorld;

  beforeAll(async () => {
    const opts = { kind: 'live' as const, width: 320, height: 180, fps: 25, bitrateKbps: 300, gop: GOP };
    line = new SharedEncoder(opts);
    intra = new SharedEncoder({ ...opts, everyFrameKey: true });
    line.start();
    intra.start();
    await Promise.all([line.ready(), intra.ready()]);
    feed = new KeyframeOnDemandFeed(line, intra);
    w = await gbWorld(dialect, { feed });
    await w.t.registry.cameras.update(w.cameraId, { status: 'in_service', sourceUrl: `gb28181://${GB_NVR}/${GB_CHANNEL}` });
  }, 90_000);
  afterAll(async () => {
    await w?.close();
    line?.close();
    intra?.close();
  });

  it('the hub opening it cold sends IFameCmd, and the first picture is the IDR made on request', async () => {
    const controls: Record<string, string>[] = [];
    w.device.on('control', (cmdType, fields) => cmdType === 'DeviceControl' && controls.push(fields));
    const hub = new StreamHub({ sources: w.t.sources, sourceUrl: async (id) => (await w.t.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 100 });
    try {
      const first = await new Promise<{ keyframe: boolean; honoured: number }>((resolve, reject) => {
        let done = false;
        hub.watch(w.cameraId, {
          copiesFrames: true,
          onInfo: () => undefined,
          onFrame: (f) => {
            if (done) return;
            done = true;
            resolve({ keyframe: f.keyframe, honoured: feed.answered });
          },
        }).catch(reject);
      });
      expect(first.keyframe).toBe(true);
      expect(first.honoured).toBe(1);
      expect(hub.stats().keyframesAsked).toBe(1);
      expect(controls).toEqual([expect.objectContaining({ DeviceID: GB_CHANNEL, IFameCmd: 'Send' })]);
    } finally {
      await hub.close();
    }
  }, 60_000);
});
