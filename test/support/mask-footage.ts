// Labelled footage for the release masks: every box known in every frame, made from pieces no
// one in the project drew. Text: Chinese plate-format strings (皖A·12345 on blue, 鲁K·D12345 on
// green), a shop sign and a business-licence line, rendered by ffmpeg's drawtext in the
// WenQuanYi Zen Hei font (Debian fonts-wqy-zenhei). Faces: two people cropped from the sample
// photograph shipped in the npm package @vladmandic/human (assets/samples.jpg, MIT package); their
// face boxes were labelled by hand on the crop (brow to chin, cheek to cheek). Three faces: 96,
// 63 and 24 px wide (the last one of the two scaled down, a face far from the camera). Background: a
// Mandelbrot picture panned slowly with temporal noise, so nothing in it is text or a face.
// Each piece moves on a straight line bouncing between the frame's edges; positions are even
// integers (overlay snaps x/y to even on 4:2:0), computed here with the same formula ffmpeg uses.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Box } from '../../src/release/box.js';

const run = promisify(execFile);

export const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';

export type LabelKind = 'text' | 'face';

interface Piece {
  name: string;
  kind: LabelKind;
  /** Sprite size. */
  w: number;
  h: number;
  /** The labelled box inside the sprite. */
  label: Box;
  /** The part of the frame it moves in (pieces never overlap: each has its own). */
  region: Box;
  /** Start position in its region and speed in pixels a frame (even numbers). */
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  /** ffmpeg input arguments making the sprite (one picture), and filters applied to it first. */
  input: { args: string[]; filters: string };
}

export interface FrameLabel {
  name: string;
  kind: LabelKind;
  box: Box;
}

export interface LabelledClip {
  path: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** The labelled boxes of frame n. */
  labels(n: number): FrameLabel[];
}

const esc = (s: string) => s.replace(/[\\:']/g, (c) => `\\${c}`);

function textSprite(w: number, h: number, bg: string, fg: string, text: string, size: number): Piece['input'] {
  const draw = `drawtext=fontfile=${esc(CJK_FONT)}:text='${esc(text)}':fontcolor=${fg}:fontsize=${size}:x=(w-text_w)/2:y=(h-text_h)/2`;
  return { args: ['-f', 'lavfi', '-i', `color=c=${bg}:s=${w}x${h}:d=1,${draw}`], filters: 'null' };
}

function faceSprite(cropX: number, cropY: number, w: number, h: number, outW: number, outH: number): Piece['input'] {
  const samples = join(dirname(dirname(createRequire(import.meta.url).resolve('@vladmandic/human'))), 'assets', 'samples.jpg');
  return { args: ['-i', samples], filters: `crop=${w}:${h}:${cropX}:${cropY},scale=${outW}:${outH}` };
}

/** The pieces of a clip, their sizes relative to 1280×720 (kept for smaller clips by `k`). */
function pieces(k: number): Piece[] {
  const s = (v: number) => Math.round((v * k) / 2) * 2;
  const r = (b: Box): Box => ({ x: s(b.x), y: s(b.y), w: s(b.w), h: s(b.h) });
  const textPiece = (name: string, w: number, h: number, bg: string, fg: string, text: string, size: number, region: Box, x0: number, y0: number, vx: number, vy: number): Piece => ({
    name, kind: 'text', w: s(w), h: s(h), label: { x: 0, y: 0, w: s(w), h: s(h) }, region: r(region), x0: s(x0), y0: s(y0), vx, vy,
    input: textSprite(s(w), s(h), bg, fg, text, Math.round(size * k)),
  });
  const facePiece = (name: string, cx: number, cy: number, label: Box, scale: number, region: Box, x0: number, y0: number, vx: number, vy: number): Piece => {
    const f = Math.max(0.25, Math.round(scale * k * 8) / 8);
    const px = (v: number) => Math.round(v * f);
    const even = (v: number) => Math.round((v * f) / 2) * 2;
    return {
      name, kind: 'face', w: even(120), h: even(130), label: { x: px(label.x), y: px(label.y), w: px(label.w), h: px(label.h) },
      region: r(region), x0: s(x0), y0: s(y0), vx, vy, input: faceSprite(cx, cy, 120, 130, even(120), even(130)),
    };
  };
  return [
    textPiece('shop-sign', 372, 58, '0xb01c1c', 'yellow', '合肥百货大楼有限公司', 36, { x: 0, y: 0, w: 1280, h: 110 }, 420, 20, 2, 2),
    facePiece('face-woman', 170, 0, { x: 32, y: 16, w: 48, h: 54 }, 2, { x: 0, y: 114, w: 636, h: 360 }, 120, 40, 2, 2),
    facePiece('face-man', 400, 0, { x: 30, y: 12, w: 42, h: 50 }, 1.5, { x: 644, y: 114, w: 430, h: 360 }, 120, 100, -2, 2),
    // About 24 px: a face far from the camera, too small for the whole frame at the detector's input.
    facePiece('face-small', 170, 0, { x: 32, y: 16, w: 48, h: 54 }, 0.5, { x: 1080, y: 114, w: 200, h: 360 }, 60, 200, 2, -2),
    textPiece('plate-blue', 170, 46, '0x0b3c99', 'white', '皖A·12345', 32, { x: 0, y: 478, w: 636, h: 136 }, 80, 40, 4, -2),
    textPiece('plate-green', 190, 46, '0x2fa24a', 'black', '鲁K·D12345', 32, { x: 644, y: 478, w: 636, h: 136 }, 300, 60, -4, -2),
    textPiece('licence', 372, 34, '0xf2f0e6', 'black', '营业执照 91340100MA2NXT5K3B', 20, { x: 0, y: 620, w: 1280, h: 100 }, 600, 30, -2, 2),
  ];
}

/** Bounce between 0 and span: the same formula as the overlay expression below. */
const bounce = (u: number, span: number) => span - Math.abs((((u % (2 * span)) + 2 * span) % (2 * span)) - span);

function positionExpr(start: number, v: number, span: number, fps: number): string {
  // ffmpeg's mod() keeps the sign of the dividend; the offset keeps it positive.
  const off = 2 * span * 1000;
  // The frame number from the timestamp: overlay's own n counts from 1 in some ffmpeg versions.
  return `${span}-abs(mod(${start}+${v}*round(t*${fps})+${off}\\,${2 * span})-${span})`;
}

/**
 * Makes an H.264 clip of `seconds` at `width`×`height`, 25 fps, into `dir`, and its labels.
 * The plates and signs are sized for 720p and scaled with the frame.
 */
export async function makeLabelledClip(dir: string, o: { width: number; height: number; seconds: number; fps?: number; name?: string }): Promise<LabelledClip> {
  const fps = o.fps ?? 25;
  const frames = Math.round(o.seconds * fps);
  const k = o.height / 720;
  const list = pieces(k);
  const path = join(dir, o.name ?? `labelled-${o.width}x${o.height}-${frames}.mp4`);
  const span = (p: Piece) => ({ sx: p.region.w - p.w, sy: p.region.h - p.h });

  const inputs: string[] = ['-f', 'lavfi', '-i', `mandelbrot=size=${o.width + 320}x${o.height + 180}:rate=1:end_pts=1:start_scale=0.4:maxiter=400`];
  for (const p of list) inputs.push(...p.input.args);
  const graph: string[] = [
    `[0:v]trim=end_frame=1,loop=loop=-1:size=1,fps=${fps},crop=${o.width}:${o.height}:'mod(n\\,320)':'mod(n\\,180)',noise=alls=6:allf=t,format=yuv420p[bg0]`,
  ];
  list.forEach((p, i) => {
    graph.push(`[${i + 1}:v]${p.input.filters},trim=end_frame=1,loop=loop=-1:size=1,fps=${fps},format=yuv420p[s${i}]`);
  });
  list.forEach((p, i) => {
    const { sx, sy } = span(p);
    const x = positionExpr(p.x0, p.vx, sx, fps);
    const y = positionExpr(p.y0, p.vy, sy, fps);
    graph.push(`[bg${i}][s${i}]overlay=x='${p.region.x}+${x}':y='${p.region.y}+${y}':eval=frame:shortest=0[bg${i + 1}]`);
  });
  await run('ffmpeg', [
    '-v', 'error', '-y', ...inputs,
    '-filter_complex', graph.join(';'), '-map', `[bg${list.length}]`, '-frames:v', String(frames),
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(fps * 2), '-fps_mode', 'passthrough', path,
  ], { maxBuffer: 1 << 20 });

  return {
    path, width: o.width, height: o.height, fps, frames,
    labels(n: number): FrameLabel[] {
      return list.map((p) => {
        const { sx, sy } = span(p);
        const x = (p.region.x + bounce(p.x0 + p.vx * n, sx)) & ~1;
        const y = (p.region.y + bounce(p.y0 + p.vy * n, sy)) & ~1;
        return { name: p.name, kind: p.kind, box: { x: x + p.label.x, y: y + p.label.y, w: p.label.w, h: p.label.h } };
      });
    },
  };
}
