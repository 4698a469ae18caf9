// The lavfi filter graphs of the simulator's shared encoders: one per kind of picture a camera
// can show. The live picture carries the wall-clock time of each frame, to the millisecond,
// taken from the system clock (setpts RTCTIME) when the frame is drawn: as text for people and
// as a strip of cells for machines (clock-strip.ts), both from the same timestamp.
import { existsSync } from 'node:fs';
import { clockStripFilters } from './clock-strip.js';

export type PictureKind = 'live' | 'black' | 'frozen' | 'moved';

export interface PictureOptions {
  width: number;
  height: number;
  fps: number;
  /** A TrueType font for the clock; fontconfig's default when absent. */
  fontFile?: string;
  /**
   * Text burned in under the clock: the camera's name and number when the camera has its own
   * picture (SimulatorOptions.labels); "VIGIL SIM" on the picture all cameras share.
   */
  label?: string;
  /** A font with Chinese glyphs for the label (Debian's fonts-wqy-zenhei); fontconfig's default when absent. */
  labelFontFile?: string;
}

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
];

const CJK_FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
];

export function defaultFontFile(): string | undefined {
  return FONT_CANDIDATES.find((f) => existsSync(f));
}

/** A font with Chinese glyphs, for camera names (the bootstrap installs fonts-wqy-zenhei). */
export function defaultLabelFontFile(): string | undefined {
  return CJK_FONT_CANDIDATES.find((f) => existsSync(f));
}

/** Escapes a value for a filter option inside a filter graph (two levels: option, then graph). */
function graphValue(v: string): string {
  return v.replace(/[\\:']/g, (c) => `\\${c}`).replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/**
 * The label under the clock, on an opaque box so the pixels inside it depend on the text alone
 * (src/sim/labels.test.ts compares them with the text drawn on its own). Taken literally
 * (expansion=none): a '%' in a camera's name is not a directive.
 */
export function labelFilter(o: PictureOptions): string {
  const size = Math.round(o.height / 11);
  const fontFile = o.labelFontFile ?? o.fontFile;
  const font = fontFile ? `fontfile=${graphValue(fontFile)}:` : '';
  const label = o.label ?? 'VIGIL SIM';
  return `drawtext=${font}fontsize=${Math.round(size / 2)}:fontcolor=yellow:box=1:boxcolor=black:boxborderw=${Math.round(size / 5)}:expansion=none:x=(w-tw)/2:y=h/8+${size * 2}:text=${graphValue(label)}`;
}

function clock(o: PictureOptions): string {
  const size = Math.round(o.height / 11);
  const font = o.fontFile ? `fontfile=${graphValue(o.fontFile)}:` : '';
  const box = `box=1:boxcolor=black@0.65:boxborderw=${Math.round(size / 5)}`;
  // drawtext expands %{…}; its own argument separator ':' inside strftime needs one backslash,
  // and the whole text is then escaped for the option and graph levels.
  const time = "%{pts:localtime:0:%Y-%m-%d %H\\:%M\\:%S}.%{eif:mod(t*1000,1000):d:3}";
  return [
    `settb=1/1000`,
    `setpts=floor(RTCTIME/1000)`,
    `drawtext=${font}fontsize=${size}:fontcolor=white:${box}:x=(w-tw)/2:y=h/8:text=${graphValue(time)}`,
    labelFilter(o),
    ...clockStripFilters(o.width, o.height),
    // Regular timestamps again, so the encoder sees a constant frame rate.
    `settb=1/${o.fps}`,
    `setpts=N`,
  ].join(',');
}

/** The lavfi input graph for one kind of picture, paced to real time by the realtime filter. */
export function pictureGraph(kind: PictureKind, o: PictureOptions): string {
  const size = `${o.width}x${o.height}`;
  const source = `testsrc2=size=${size}:rate=${o.fps}`;
  switch (kind) {
    case 'live':
      return `${source},realtime,${clock(o)}`;
    case 'black':
      return `color=c=black:size=${size}:rate=${o.fps},realtime`;
    case 'frozen':
      // One frame, clock included, repeated for ever: a camera whose picture stopped.
      return `${source},realtime,${clock(o)},trim=end_frame=1,loop=loop=-1:size=1:start=0,realtime`;
    case 'moved': {
      // As if the camera were turned: another part of the scene, mirrored, clock still running.
      const cw = Math.round(o.width * 0.6) & ~1;
      const ch = Math.round(o.height * 0.6) & ~1;
      return `${source},realtime,crop=${cw}:${ch}:${o.width - cw}:${o.height - ch},scale=${size},hflip,${clock(o)}`;
    }
  }
}
