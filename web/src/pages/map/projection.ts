// Pure geometry of the camera map: Web Mercator (EPSG:3857) from longitude/latitude to pixels at a
// scale and offset, a view that fits a set of points, and a camera's view sector as an SVG path.

export interface MapView {
  /** Pixels per radian of longitude. */
  scale: number;
  offsetX: number;
  offsetY: number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;
const mercX = (lon: number) => rad(lon);
const mercY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + rad(Math.max(-85, Math.min(85, lat))) / 2));

/** Pixel position of a point: east to the right, north up. */
export function project(v: MapView, lon: number, lat: number): [number, number] {
  return [v.offsetX + mercX(lon) * v.scale, v.offsetY - mercY(lat) * v.scale];
}

/** A view showing every point with a margin; one point (or none) gets a street-level view around it. */
export function fitView(points: [number, number][], width: number, height: number, margin = 60): MapView {
  if (!points.length) return { scale: 1000, offsetX: width / 2, offsetY: height / 2 };
  const xs = points.map(([lon]) => mercX(lon));
  const ys = points.map(([, lat]) => mercY(lat));
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0, 2e-5);
  const scale = Math.min((width - 2 * margin) / Math.max(x1 - x0, span / 4), (height - 2 * margin) / Math.max(y1 - y0, span / 4));
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { scale, offsetX: width / 2 - cx * scale, offsetY: height / 2 + cy * scale };
}

/** The sector a camera sees: `direction` degrees clockwise from north, `fov` degrees wide. */
export function sectorPath(x: number, y: number, r: number, direction: number, fov: number): string {
  const f = Math.min(359.9, Math.max(1, fov));
  const a0 = rad(direction - f / 2);
  const a1 = rad(direction + f / 2);
  const p = (a: number) => `${(x + r * Math.sin(a)).toFixed(1)},${(y - r * Math.cos(a)).toFixed(1)}`;
  return `M${x.toFixed(1)},${y.toFixed(1)} L${p(a0)} A${r},${r} 0 ${f > 180 ? 1 : 0} 1 ${p(a1)} Z`;
}
