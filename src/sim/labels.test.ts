// Each labelled simulated camera shows its own name (issue 20: a wall of simulated cameras all
// showed one picture). The picture is sent over RTSP and decoded by ffmpeg; inside the label's
// opaque box its pixels must match the label drawn on its own with the same filter, and not
// another camera's label. The Chinese font really draws Chinese: its glyphs differ from the
// missing-glyph boxes of a font without them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFontFile, defaultLabelFontFile, labelFilter, type PictureOptions } from './picture.js';
import { startSimulator, type Simulator } from './simulator.js';

const run = promisify(execFile);
const W = 640;
const H = 360;
const LABELS = ['校门口 · 1号', '操场 · 2号'];
const ffmpeg = (args: string[]) => run('ffmpeg', ['-nostdin', '-v', 'error', ...args, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { encoding: 'buffer', maxBuffer: 64 << 20, timeout: 30_000 }).then((r) => r.stdout);
const base: PictureOptions = { width: W, height: H, fps: 10, fontFile: defaultFontFile(), labelFontFile: defaultLabelFontFile() };

/** The label alone, drawn on mid grey with the simulator's own filter. */
const reference = (o: PictureOptions) => ffmpeg(['-f', 'lavfi', '-i', `color=c=gray:size=${W}x${H}:rate=1,${labelFilter(o)}`]);

/** Mean absolute difference inside the label's box (where the reference is not the grey ground). */
function insideBox(frame: Buffer, ref: Buffer): { pixels: number; diff: number } {
  const ground = ref[0]!;
  let pixels = 0;
  let sum = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Math.abs(ref[i]! - ground) < 12) continue;
    pixels++;
    sum += Math.abs(frame[i]! - ref[i]!);
  }
  return { pixels, diff: sum / Math.max(1, pixels) };
}

let sim: Simulator;

describe('camera names burned into the simulated pictures', () => {
  beforeAll(async () => {
    expect(defaultLabelFontFile(), 'a Chinese font (fonts-wqy-zenhei)').toBeDefined();
    sim = await startSimulator({ cameras: 3, width: W, height: H, fps: 10, bitrateKbps: 2000, labels: LABELS });
  }, 60_000);
  afterAll(() => sim?.close());

  it('shows each labelled camera its own name, and the unlabelled one the shared picture', async () => {
    const frames = await Promise.all(sim.urls.map((u) => ffmpeg(['-rtsp_transport', 'tcp', '-i', u])));
    const refs = await Promise.all([...LABELS.map((label) => reference({ ...base, label })), reference(base)]);
    const own = frames.map((f, i) => insideBox(f, refs[i]!));
    for (const o of own) {
      expect(o.pixels).toBeGreaterThan(500);
      expect(o.diff, 'the picture inside the box is the label drawn alone').toBeLessThan(15);
    }
    // Against another camera's label the box does not match.
    expect(insideBox(frames[0]!, refs[1]!).diff).toBeGreaterThan(own[0]!.diff * 2 + 10);
    expect(insideBox(frames[1]!, refs[0]!).diff).toBeGreaterThan(own[1]!.diff * 2 + 10);
    expect(insideBox(frames[2]!, refs[0]!).diff).toBeGreaterThan(own[2]!.diff * 2 + 10);
    // Two encoders for two labels, one for the rest.
    expect(sim.encoders().running.filter((k) => k === 'live')).toHaveLength(3);
  }, 90_000);

  it('draws Chinese glyphs, not the boxes of a font without them', async () => {
    const cjk = await reference({ ...base, label: LABELS[0] });
    const latinOnly = await reference({ ...base, labelFontFile: defaultFontFile(), label: LABELS[0] });
    expect(insideBox(cjk, latinOnly).diff).toBeGreaterThan(20);
  }, 60_000);
});
