// Pure arithmetic of the zoomable timeline: zoom levels from an hour to a month, tick steps and
// labels, and positions ↔ instants.

export const ZOOMS = [
  { key: 'hour', ms: 3600_000 },
  { key: 'sixHours', ms: 6 * 3600_000 },
  { key: 'day', ms: 86_400_000 },
  { key: 'week', ms: 7 * 86_400_000 },
  { key: 'month', ms: 30 * 86_400_000 },
] as const;
export type ZoomKey = (typeof ZOOMS)[number]['key'];

export const MIN_SPAN_MS = 10 * 60_000;
export const MAX_SPAN_MS = 32 * 86_400_000;

const STEPS = [60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3600_000, 3 * 3600_000, 6 * 3600_000, 12 * 3600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000];

export interface View {
  from: number;
  to: number;
}

/** A view of `span` ms centred on `at`. */
export function viewAround(at: number, span: number): View {
  const s = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span));
  return { from: Math.round(at - s / 2), to: Math.round(at + s / 2) };
}

/** Zooms by `factor` (<1 in, >1 out) keeping the instant under the pointer in place. */
export function zoomAt(v: View, at: number, factor: number): View {
  const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, (v.to - v.from) * factor));
  const k = (at - v.from) / (v.to - v.from);
  const from = Math.round(at - k * span);
  return { from, to: from + Math.round(span) };
}

export function xOf(v: View, ms: number, width: number): number {
  return ((ms - v.from) / (v.to - v.from)) * width;
}

export function msOf(v: View, x: number, width: number): number {
  return Math.round(v.from + (x / width) * (v.to - v.from));
}

/** Tick instants, aligned to local midnight for day steps and to whole steps otherwise. */
export function ticks(v: View, maxTicks = 10): { step: number; at: number[] } {
  const span = v.to - v.from;
  const step = STEPS.find((s) => span / s <= maxTicks) ?? STEPS[STEPS.length - 1]!;
  const offset = new Date(v.from).getTimezoneOffset() * 60_000;
  const first = Math.ceil((v.from - offset) / step) * step + offset;
  const at: number[] = [];
  for (let t = first; t <= v.to; t += step) at.push(t);
  return { step, at };
}

export function tickLabel(ms: number, step: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  if (step >= 86_400_000) return `${d.getMonth() + 1}-${p(d.getDate())}`;
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return d.getHours() === 0 && d.getMinutes() === 0 ? `${d.getMonth() + 1}-${p(d.getDate())}` : hm;
}
