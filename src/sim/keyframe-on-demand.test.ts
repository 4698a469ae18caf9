// A simulated camera asked for a keyframe sends one before its GOP comes round, judged by the
// order of the frames a client receives (never by time): asked through its ONVIF media service
// (SetSynchronizationPoint), pulled through the platform's own onvif:// source, and as a GB/T
// 28181 channel's feed. And without keyframeOnDemand, the request changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSources } from '../../test/support/sources.js';
import { createSource } from '../ingest/index.js';
import type { MediaSource, VideoFrame } from '../ingest/source.js';
import { OnvifClient } from '../onvif/device.js';
import { SharedEncoder } from './encoder.js';
import { KeyframeOnDemandFeed } from './keyframe-on-demand.js';
import { startSimulator, type Simulator } from './simulator.js';

const GOP = 100; // 4 s at 25 fps: the camera's own next keyframe is far off
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ cameras: 2, width: 320, height: 180, bitrateKbps: 400, gop: GOP, staggerGops: true, keyframeOnDemand: true, controlPort: 0 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

/** Keyframe flags of the frames `source` gives, in order, and a way to wait for a condition on them. */
function frames(source: MediaSource) {
  const keys: boolean[] = [];
  const waiters: (() => void)[] = [];
  source.on('frame', (f) => {
    if (f.kind !== 'video') return;
    keys.push((f as VideoFrame).keyframe);
    for (const w of waiters.splice(0)) w();
  });
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((r) => waiters.push(r));
  };
  return { keys, until };
}

describe('keyframes on demand', () => {
  it('an ONVIF SetSynchronizationPoint makes the next pictures IDRs until the camera\'s own keyframe, then its GOP goes on', async () => {
    const device = `${sim.controlUrl!.replace('http', 'onvif')}/onvif/cam2/device_service`;
    const source = createSource(device, { guard: testSources(null) });
    const seen = frames(source);
    try {
      await source.start();
      await seen.until(() => seen.keys.length >= 1); // the first picture a new viewer gets is a keyframe
      expect(seen.keys[0]).toBe(true);
      const askedAt = seen.keys.length;
      await new OnvifClient({ address: device.replace('onvif://', 'http://') }).setSynchronizationPoint('main');
      // The next keyframe after the request, and the camera's own one after it.
      await seen.until(() => seen.keys.slice(askedAt).includes(true));
      const asked = askedAt + seen.keys.slice(askedAt).indexOf(true);
      // Without the request, a keyframe would come only GOP frames after the first.
      expect(asked).toBeLessThan(GOP);
      await seen.until(() => seen.keys.length > GOP + 3);
      // From the answered request to the camera's own keyframe (frame GOP), every picture is an IDR
      // (the line's P-frames refer to pictures this viewer never got); after it, P-frames again.
      expect(seen.keys.slice(asked, GOP + 1).every(Boolean)).toBe(true);
      expect(seen.keys.slice(GOP + 1, GOP + 4)).toEqual([false, false, false]);
      expect(sim.camera('cam2').keyframesOnDemand).toBe(1);
    } finally {
      await source.close();
    }
  }, 60_000);

  it('a GB/T 28181 channel\'s feed asked for a keyframe gives one before its GOP would have', async () => {
    const opts = { kind: 'live' as const, width: 320, height: 180, fps: 25, bitrateKbps: 400, gop: GOP };
    const line = new SharedEncoder(opts);
    const intra = new SharedEncoder({ ...opts, everyFrameKey: true });
    line.start();
    intra.start();
    try {
      await Promise.all([line.ready(), intra.ready()]);
      const feed = new KeyframeOnDemandFeed(line, intra);
      const keys: boolean[] = [];
      let asked = -1;
      const off = feed.subscribe((f) => {
        keys.push(f.keyframe);
        // Asked once, a few pictures after the feed's first keyframe.
        if (asked < 0 && keys.indexOf(true) >= 0 && keys.length - keys.indexOf(true) === 3) {
          asked = keys.length;
          expect(feed.requestKeyframe()).toBe(true);
        }
      });
      while (asked < 0 || keys.length <= asked) await new Promise((r) => setTimeout(r, 50));
      off();
      const first = keys.indexOf(true);
      // The picture right after the request is an IDR, though the line made no keyframe since.
      expect(keys[asked]).toBe(true);
      expect(asked - first).toBeLessThan(GOP);
      expect(feed.answered).toBe(1);
    } finally {
      line.close();
      intra.close();
    }
  }, 60_000);

  it('a simulator without keyframeOnDemand says so and the camera keeps its GOP', async () => {
    const plain = await startSimulator({ cameras: 1, width: 320, height: 180, bitrateKbps: 400, gop: GOP, controlPort: 0 });
    try {
      const r = await fetch(`${plain.controlUrl}/cameras/cam1/keyframe`, { method: 'POST' });
      expect(await r.json()).toEqual({ name: 'cam1', honoured: false });
      expect(plain.camera('cam1').keyframesOnDemand).toBe(0);
    } finally {
      await plain.close();
    }
  }, 60_000);
});
