import { useMemo } from 'react';
import { encodeQr, type QrMatrix } from './qr';

/** One SVG path of the dark modules, with the four-module quiet zone the standard asks for. */
export function qrPath(m: QrMatrix, quiet = 4): string {
  const parts: string[] = [];
  for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (m.modules[r]![c]) parts.push(`M${c + quiet},${r + quiet}h1v1h-1z`);
  return parts.join('');
}

export function QrCode({ text, size, label }: { text: string; size: number; label: string }) {
  const matrix = useMemo(() => {
    try {
      return encodeQr(text);
    } catch {
      return undefined; // too long for the encoder: the URI and secret are shown as text anyway
    }
  }, [text]);
  if (!matrix) return null;
  const extent = matrix.size + 8;
  return (
    <svg width={size} height={size} viewBox={`0 0 ${extent} ${extent}`} role="img" aria-label={label} data-testid="totp-qr" shapeRendering="crispEdges">
      <rect width={extent} height={extent} fill="#fff" />
      <path d={qrPath(matrix)} fill="#000" />
    </svg>
  );
}
