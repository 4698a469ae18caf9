// The viewing copy that starts at zero: from a later fragment of an H.264 + AAC recording, ffmpeg
// sees both streams start at 0 with the audio's offset to the video kept, decodes the same
// frames as from the recording, and every substituted field goes back to the recorded bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitAdts } from '../audio/aac-config.js';
import { groupAccessUnits, splitAnnexB } from '../h264/annexb.js';
import { ffprobeJson, frameMd5s, mediaFixture, scratchDir } from '../../../test/support/media-fixtures.js';
import { Fmp4Error } from './errors.js';
import { Fmp4Muxer, type FragmentOut } from './muxer.js';
import { rebaseFragment, restore, shiftToZero, stampInit } from './rebase.js';
import { scanFragments } from './scan.js';

async function recording(): Promise<{ init: Buffer; fragments: Buffer[] }> {
  const video = groupAccessUnits(splitAnnexB((await mediaFixture('h264-720p.h264')).bytes), 'h264').map((nalus, i) => ({ pts90k: 1_000_000 + i * 3600, nalus, keyframe: nalus.some((n) => (n[0]! & 0x1f) === 5) }));
  const { config, frames } = splitAdts((await mediaFixture('aac.adts')).bytes);
  const audio = frames.map((data, i) => ({ pts90k: 1_000_000 + Math.round((i * 1024 * 90000) / 44100), data }));
  const m = new Fmp4Muxer({ video: { codec: 'h264' }, audio: { codec: 'aac', config: config.bytes }, maxFragmentMs: 1000 });
  const outs: (FragmentOut | null)[] = [];
  let a = 0;
  for (const au of video) {
    while (a < audio.length && audio[a]!.pts90k <= au.pts90k) outs.push(m.addAudio(audio[a++]!));
    outs.push(m.addVideo(au));
  }
  outs.push(m.flush());
  return { init: m.init(), fragments: outs.filter((o): o is FragmentOut => o !== null).map((o) => Buffer.concat(o.bytes)) };
}

describe('rebase to zero', () => {
  it('starts both tracks at zero from a later keyframe fragment, in step, decoding the same frames', async () => {
    const r = await recording();
    const k = 1;
    expect(r.fragments.length).toBeGreaterThan(1);
    const tail = r.fragments.slice(k);
    const before = await scanFragments(Buffer.concat([r.init, ...tail]));
    const { shift, ticks, timescale } = await shiftToZero(r.init, tail[0]!);
    expect(ticks).toBeGreaterThan(0);
    const [v0, a0] = before.fragments[0]!.tracks;
    expect(Math.min(v0!.baseDecodeTime / 90000, a0!.baseDecodeTime / 44100)).toBeCloseTo(ticks / timescale, 9);

    const stamped = stampInit(r.init, Date.UTC(2026, 11, 4, 8, 30, 15, 640));
    const rebased = tail.map((f) => rebaseFragment(f, shift));
    const copy = Buffer.concat([stamped.bytes, ...rebased.map((x) => x.bytes)]);
    const after = await scanFragments(copy);
    const [v1, a1] = after.fragments[0]!.tracks;
    expect(Math.min(v1!.baseDecodeTime, a1!.baseDecodeTime)).toBe(0);
    // Audio keeps its offset to the video within one audio tick.
    expect(Math.abs((a1!.baseDecodeTime / 44100 - v1!.baseDecodeTime / 90000) - (a0!.baseDecodeTime / 44100 - v0!.baseDecodeTime / 90000))).toBeLessThanOrEqual(1 / 44100);

    const dir = scratchDir();
    const orig = join(dir, 'rebase-orig.mp4');
    const view = join(dir, 'rebase-view.mp4');
    writeFileSync(orig, Buffer.concat([r.init, ...tail]));
    writeFileSync(view, copy);
    const p = await ffprobeJson(view, ['-show_streams', '-show_format']);
    expect(Number(p.format.start_time)).toBeLessThanOrEqual(1 / 44100);
    expect(p.format.tags.creation_time).toBe('2026-12-04T08:30:15.000000Z');
    const o = await ffprobeJson(orig, ['-show_format']);
    expect(Number(o.format.start_time)).toBeGreaterThan(0.5);
    expect(await frameMd5s(view, 'v')).toEqual(await frameMd5s(orig, 'v'));

    expect(restore(stamped.bytes, stamped.patches).equals(r.init)).toBe(true);
    rebased.forEach((x, i) => {
      expect(x.patches).toHaveLength(2); // one tfdt per track
      expect(x.bytes.equals(tail[i]!)).toBe(false);
      expect(restore(x.bytes, x.patches).equals(tail[i]!)).toBe(true);
    });
  });

  it('refuses to shift a fragment to before zero, and a fragment that is not a moof', async () => {
    const r = await recording();
    const { shift } = await shiftToZero(r.init, r.fragments.at(-1)!);
    expect(() => rebaseFragment(r.fragments.at(-2)!, shift)).toThrow(Fmp4Error);
    expect(() => rebaseFragment(r.init, shift)).toThrow(/whole moof/);
  });
});
