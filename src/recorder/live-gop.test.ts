// A live viewer joining a recording session mid-GOP starts at once from the GOP the writer holds
// (issue 19): the stream description, the last keyframe and every frame since, then the live
// frames, in order, none twice, byte for byte as a viewer there from the start saw them. Where the
// writer's fragment began mid-GOP (cut for its length) nothing is held and the viewer waits as
// before. Through LocalLiveSource (a stream hub of this process) the same holds, with one description.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import type { CameraSession } from './camera-session.js';
import type { Recorder } from './recorder.js';
import { LocalLiveSource } from '../cluster/local-live.js';

interface Seen {
  pts: number;
  keyframe: boolean;
  bytes: Buffer;
}

/** A viewer that copies each frame at once (their memory may be reused after) and notes the order of events. */
function viewer(onFrame?: (seen: Seen[]) => void) {
  const events: ('info' | 'frame')[] = [];
  const frames: Seen[] = [];
  return {
    events,
    frames,
    onInfo: (_: StreamInfo) => void events.push('info'),
    onFrame: (f: VideoFrame) => {
      events.push('frame');
      frames.push({ pts: f.pts90k, keyframe: f.keyframe, bytes: Buffer.concat(f.nalus) });
      onFrame?.(frames);
    },
    onEnd: () => undefined,
  };
}

/** Frames since the last keyframe seen (0 at a keyframe), -1 before any. */
function sinceKey(frames: Seen[]): number {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.keyframe) return frames.length - 1 - i;
  return -1;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(20);
}

/** The joined viewer's frames are the reference's from where it started, in order, none missing or twice. */
function expectSameRun(reference: Seen[], joined: Seen[]): number {
  const from = reference.findIndex((s) => s.pts === joined[0]!.pts);
  expect(from).toBeGreaterThanOrEqual(0);
  const slice = reference.slice(from, from + joined.length);
  expect(joined.map((s) => s.pts)).toEqual(slice.map((s) => s.pts));
  expect(joined.every((s, i) => s.bytes.equals(slice[i]!.bytes))).toBe(true);
  return from;
}

describe('a live viewer joining a recording session', () => {
  let sim: Simulator;
  let h: RecorderHarness;
  beforeAll(async () => {
    // GOPs of 25 frames (one second at 25 fps).
    sim = await startSimulator({ cameras: 1, width: 320, height: 240, bitrateKbps: 300 });
    h = await recorderHarness([sim.urls[0]!]);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  const recording = async (fragmentMaxMs: number): Promise<{ recorder: Recorder; session: CameraSession }> => {
    const recorder = h.recorder({ fragmentMaxMs });
    await recorder.start();
    const id = h.cameraIds[0]!;
    await until(() => (recorder.sessions.get(id)?.stats.frames ?? 0) > 0);
    return { recorder, session: recorder.sessions.get(id)! };
  };

  it('mid-GOP, between frames: the description, then the last keyframe and every frame since, then live ones', async () => {
    const { recorder, session } = await recording(2000);
    let joinedAt: Seen | undefined;
    let joined: ReturnType<typeof viewer> | undefined;
    let leaveJoined: (() => void) | undefined;
    const reference = viewer((frames) => {
      // Six frames or more into a GOP: join on the next turn of the event loop, between frames.
      if (joinedAt || sinceKey(frames) < 6 || sinceKey(frames) > 15) return;
      joinedAt = frames.at(-1);
      setImmediate(() => {
        joinedAt = reference.frames.at(-1);
        joined = viewer();
        leaveJoined = session.subscribe(joined);
      });
    });
    const leaveReference = session.subscribe(reference);
    await until(() => (joined?.frames.filter((f) => f.keyframe).length ?? 0) >= 3);
    leaveJoined!();
    leaveReference();
    await recorder.close();

    const j = joined!;
    expect(j.events[0]).toBe('info');
    expect(j.frames[0]!.keyframe).toBe(true);
    // Started from before the join, not at the camera's next keyframe: the GOP the writer held.
    expect(j.frames[0]!.pts).toBeLessThan(joinedAt!.pts);
    const from = expectSameRun(reference.frames, j.frames);
    const joinIndex = reference.frames.indexOf(joinedAt!);
    // The keyframe it started from is the last one before the join.
    expect(reference.frames.slice(from + 1, joinIndex + 1).some((s) => s.keyframe)).toBe(false);
    expect(joinIndex - from).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it("mid-GOP, from another viewer's handler: the held GOP and the frame being handed out, then live ones", async () => {
    const { recorder, session } = await recording(2000);
    let joinedAt: Seen | undefined;
    let joined: ReturnType<typeof viewer> | undefined;
    let leaveJoined: (() => void) | undefined;
    const reference = viewer((frames) => {
      if (joinedAt || sinceKey(frames) !== 3) return;
      joinedAt = frames.at(-1);
      joined = viewer();
      leaveJoined = session.subscribe(joined);
    });
    const leaveReference = session.subscribe(reference);
    await until(() => (joined?.frames.filter((f) => f.keyframe).length ?? 0) >= 3);
    leaveJoined!();
    leaveReference();
    await recorder.close();

    const j = joined!;
    expect(j.events[0]).toBe('info');
    const from = expectSameRun(reference.frames, j.frames);
    // The keyframe three frames back, the two after it, and the frame in whose delivery it joined.
    expect(reference.frames.indexOf(joinedAt!) - from).toBe(3);
    expect(j.frames[0]!.keyframe).toBe(true);
    expect(j.frames[3]!.pts).toBe(joinedAt!.pts);
  }, 60_000);

  it('where the fragment being built began mid-GOP, nothing held is given: the viewer waits for a keyframe as before', async () => {
    // Fragments of 200 ms cut each one-second GOP about five times.
    const { recorder, session } = await recording(200);
    let joinedAt: Seen | undefined;
    let joined: ReturnType<typeof viewer> | undefined;
    let leaveJoined: (() => void) | undefined;
    const reference = viewer((frames) => {
      if (joinedAt || sinceKey(frames) !== 12) return;
      joinedAt = frames.at(-1);
      joined = viewer();
      leaveJoined = session.subscribe(joined);
    });
    const leaveReference = session.subscribe(reference);
    await until(() => (joined?.frames.filter((f) => f.keyframe).length ?? 0) >= 2);
    leaveJoined!();
    leaveReference();
    await recorder.close();

    const j = joined!;
    expect(j.events[0]).toBe('info');
    // Only the frame being handed out when it joined, then the live ones: nothing from before.
    expect(j.frames[0]!.pts).toBe(joinedAt!.pts);
    expect(j.frames[0]!.keyframe).toBe(false);
    expectSameRun(reference.frames, j.frames);
  }, 60_000);

  it("as a stream hub's source of this process: one description, then the held GOP and the live frames", async () => {
    const { recorder, session } = await recording(2000);
    let joinedAt: Seen | undefined;
    let source: LocalLiveSource | undefined;
    const events: ('info' | 'frame')[] = [];
    const got: Seen[] = [];
    const reference = viewer((frames) => {
      if (joinedAt || sinceKey(frames) < 6 || sinceKey(frames) > 15) return;
      joinedAt = frames.at(-1);
      setImmediate(() => {
        joinedAt = reference.frames.at(-1);
        source = new LocalLiveSource(session, h.cameraIds[0]!);
        source.on('info', () => void events.push('info'));
        source.on('frame', (f) => {
          if (f.kind !== 'video') return;
          events.push('frame');
          got.push({ pts: f.pts90k, keyframe: f.keyframe, bytes: Buffer.concat(f.nalus) });
        });
        void source.start();
      });
    });
    const leaveReference = session.subscribe(reference);
    await until(() => got.filter((f) => f.keyframe).length >= 3);
    await source!.close();
    leaveReference();
    await recorder.close();

    // Told once: a second description would drop the held GOP's frames after it until a keyframe.
    expect(events.filter((e) => e === 'info')).toHaveLength(1);
    expect(events[0]).toBe('info');
    expect(got[0]!.keyframe).toBe(true);
    expect(got[0]!.pts).toBeLessThan(joinedAt!.pts);
    expectSameRun(reference.frames, got);
  }, 60_000);
});
