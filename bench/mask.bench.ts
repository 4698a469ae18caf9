// npm run bench:mask [-- --seconds S --step N --style pixelate|blur|solid --text-side PX] —
// masks labelled 720p25 footage (test/support/mask-footage.ts: two plates, a shop sign, a licence
// line and two faces moving over a panned background, every box known per frame) with the real
// models and ffmpeg, then scores the masks burned in against the labels (test/support/mask-
// measure.ts). Issue 23's goals: ≥ 99 % of text boxes and ≥ 97 % of faces masked (≥ 90 % of a
// box covered), no frame with a labelled box wholly visible, speedX ≥ 0.5 on 2 cores (a minute
// of footage in two minutes). Making the footage is not timed. Last line: one JSON object.
import { parseArgs } from 'node:util';
import { Masker } from '../src/release/masker.js';
import type { MaskStyle } from '../src/release/mask-render.js';
import { makeLabelledClip } from '../test/support/mask-footage.js';
import { scoreMasks } from '../test/support/mask-measure.js';
import { loadAverage, runBench } from './bench-run.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '60' },
    step: { type: 'string', default: process.env.BENCH_MASK_STEP ?? '5' },
    style: { type: 'string', default: 'pixelate' },
    'text-side': { type: 'string', default: process.env.BENCH_MASK_TEXT_SIDE ?? '640' },
  },
});
const SECONDS = Number(values.seconds);
const STEP = Number(values.step);
const TEXT_SIDE = Number(values['text-side']);
const s1 = (ms: number) => (ms / 1000).toFixed(1);

/**
 * CPU seconds of this process (every thread: onnxruntime's, the face detector's) and of its
 * children that have ended (the ffmpeg decoders and encoder), from /proc/self/stat. On a machine
 * shared with other work the wall clock says how busy the machine was; this says what masking
 * costs: two cores of our own would mask at SECONDS / (cpu / 2).
 */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}
const CORES = 2;

await runBench('mask', async (run) => {
  const dir = run.tempDir('vigil-mask-bench-');
  const clip = await run.phase('footage', 120 + SECONDS * 6, () => makeLabelledClip(dir, { width: 1280, height: 720, seconds: SECONDS }));
  const masker = await run.phase('models', 120, () => Masker.open({ text: { maxSide: TEXT_SIDE } }));
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const res = await run.phase('mask', 60 + SECONDS * 20, () => masker.mask({ input: clip.path, output: join(dir, 'released.mp4'), style: values.style as MaskStyle, step: STEP }));
  const wall = performance.now() - t0;
  const cpu = cpuSeconds() - c0;
  const cpuSpeedX = Math.round((SECONDS / (cpu / CORES)) * 100) / 100;
  const score = scoreMasks(res.frames, clip.width, clip.height, clip.labels, (n) => res.boxesAt(n).map((b) => b.box));
  const speedX = Math.round((SECONDS / (wall / 1000)) * 100) / 100;
  const t = res.timings;
  process.stdout.write(
    [
      `masked ${res.frames} frames of 1280x720 at 25 fps (${SECONDS} s) in ${s1(wall)} s: speedX ${speedX} (goal ≥ 0.5, then ≥ 1); load average ${loadAverage()}`,
      `  CPU: ${cpu.toFixed(1)} s (this process's threads and its ffmpeg children): on ${CORES} cores of its own, speedX ${cpuSpeedX}`,
      `  detector every ${STEP} frames (${t.detectorFrames} frames), text input ≤ ${TEXT_SIDE} px, style ${values.style}; ${res.tracks.length} tracks`,
      `  where the time went (the passes run side by side, the render a few detector steps behind):`,
      `    detection pass ${s1(t.detectPass)} s (text detector ${s1(t.textDetect)} s, face detector ${s1(t.faceDetect)} s, the two at once; decode and tracking the rest)`,
      `    render pass    ${s1(t.renderPass)} s (ffmpeg decode + H.264 encode, waiting for detection, masks drawn ${s1(t.maskDraw)} s)`,
      '',
      '  kind   labelled  masked  recall %  frames wholly visible',
      `  text   ${String(score.labelled.text).padStart(8)}  ${String(score.masked.text).padStart(6)}  ${String(score.recallPct.text).padStart(8)}  ${score.framesWhollyVisible.text}`,
      `  face   ${String(score.labelled.face).padStart(8)}  ${String(score.masked.face).padStart(6)}  ${String(score.recallPct.face).padStart(8)}  ${score.framesWhollyVisible.face}`,
      `  over-masking: ${score.overMaskPct} % of the frame area outside labelled boxes`,
      ...(score.misses.length ? ['  first misses:', ...score.misses.map((m) => `    ${m}`)] : []),
      '',
    ].join('\n'),
  );
  Object.assign(run.result, {
    frames: res.frames,
    faceRecallPct: score.recallPct.face,
    textRecallPct: score.recallPct.text,
    overMaskPct: score.overMaskPct,
    speedX,
    cpuS: Math.round(cpu * 10) / 10,
    cpuSpeedX,
    framesTextVisible: score.framesWhollyVisible.text,
    framesFaceVisible: score.framesWhollyVisible.face,
    step: STEP,
    detectS: Math.round(t.detectPass / 100) / 10,
    renderS: Math.round(t.renderPass / 100) / 10,
  });
});
