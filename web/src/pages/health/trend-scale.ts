// The trend chart's geometry, pure so it can be tested without a browser.

export const W = 640;
export const H = 220;
export const PAD = { left: 48, right: 36, top: 12, bottom: 28 };

export interface ChartLine {
  /** SVG path "M x y L x y …"; a week without a rate breaks the line. */
  d: string;
  points: { x: number; y: number; rate: number }[];
}

/** The y range: from a little below the lowest value (rates, target) to 100 %, so a drop from
 * 98 % to 93 % is visible instead of flattened against zero. */
export function yRange(values: readonly (number | null)[]): [number, number] {
  const known = values.filter((v): v is number => v !== null);
  const low = known.length ? Math.min(...known) : 0;
  const floor = Math.max(0, Math.floor((low - 0.05) * 10) / 10);
  return [floor, 1];
}

export function lineOf(rates: readonly (number | null)[], range: [number, number], width = W, height = H): ChartLine {
  const n = rates.length;
  const span = range[1] - range[0] || 1;
  const x = (i: number) => PAD.left + (n <= 1 ? (width - PAD.left - PAD.right) / 2 : (i * (width - PAD.left - PAD.right)) / (n - 1));
  const y = (r: number) => PAD.top + (1 - (r - range[0]) / span) * (height - PAD.top - PAD.bottom);
  const points: ChartLine['points'] = [];
  let d = '';
  let pen = false;
  rates.forEach((r, i) => {
    if (r === null) {
      pen = false;
      return;
    }
    const p = { x: x(i), y: y(r), rate: r };
    points.push(p);
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)} `;
    pen = true;
  });
  return { d: d.trim(), points };
}
