// The zoomable timeline under the players: a row per camera with its recorded ranges, gaps and
// events from the timeline API, a ruler, and the cursor at the instant being shown. Click or drag
// on a row to seek; Shift-drag on a row selects a range (to export); drag the ruler to move along;
// the wheel zooms around the pointer.
import { Tooltip } from 'antd';
import { useRef, useState, type PointerEvent } from 'react';
import type { CameraTimeline, Range } from '../../api/media';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../access-requests/request-state';
import { msOf, tickLabel, ticks, xOf, zoomAt, type View } from './timeline-scale';

const ROW = 26;
const RULER = 22;
const LABEL = 140;
/** Footage backfilled from the device into our recording, and the device's own recordings. */
const BACKFILLED = '#13c2c2';
const DEVICE = '#722ed1';
/** Footage a recorder node wrote after losing the camera's lease, kept aside: a band along the row's top. */
const KEPT_ASIDE = '#eb2f96';

interface Props {
  view: View;
  /** `since`: when the camera was registered; no gap is painted before a camera existed. */
  rows: { label: string; timeline?: CameraTimeline; since?: number; bookmarks?: { at: number; note: string }[]; device?: Range[] }[];
  cursor: number | null;
  width: number;
  onSeek(ms: number): void;
  onView(v: View): void;
  /** The range selected (Shift-drag, or marked at the cursor), drawn over the rows. */
  selection?: View | null;
  onSelect?(v: View): void;
}

export function TimelineBar({ view, rows, cursor, width, onSeek, onView, selection, onSelect }: Props) {
  const { t } = useTranslation();
  const eventTitle = (ev: CameraTimeline['events'][number]) =>
    `${formatTime(ev.startMs)} ${i18next.exists(`playback.events.${ev.kind}`) ? t(`playback.events.${ev.kind}`) : ev.kind}${ev.detail ? `: ${ev.detail}` : ''}`;
  const svgRef = useRef<SVGSVGElement>(null);
  const [preview, setPreview] = useState<number | null>(null);
  const drag = useRef<{ kind: 'seek' | 'pan' | 'select'; startX: number; view: View } | null>(null);
  const [selecting, setSelecting] = useState<View | null>(null);
  const plot = Math.max(100, width - LABEL);
  const height = RULER + rows.length * ROW + 4;
  const { step, at } = ticks(view, Math.max(4, Math.floor(plot / 90)));

  const xInPlot = (e: { clientX: number }) => e.clientX - (svgRef.current?.getBoundingClientRect().left ?? 0) - LABEL;

  const down = (e: PointerEvent<SVGRectElement>, kind: 'seek' | 'pan') => {
    (e.target as Element).setPointerCapture(e.pointerId);
    const k = kind === 'seek' && e.shiftKey && onSelect ? 'select' : kind;
    drag.current = { kind: k, startX: xInPlot(e), view };
    if (k === 'seek') setPreview(msOf(view, xInPlot(e), plot));
    if (k === 'select') {
      const at = msOf(view, xInPlot(e), plot);
      setSelecting({ from: at, to: at });
    }
  };
  const move = (e: PointerEvent<SVGRectElement>) => {
    const d = drag.current;
    if (!d) return;
    const here = msOf(view, Math.min(plot, Math.max(0, xInPlot(e))), plot);
    if (d.kind === 'seek') setPreview(here);
    else if (d.kind === 'select') {
      const start = msOf(d.view, d.startX, plot);
      setSelecting({ from: Math.min(start, here), to: Math.max(start, here) });
    } else {
      const shift = ((xInPlot(e) - d.startX) / plot) * (d.view.to - d.view.from);
      onView({ from: Math.round(d.view.from - shift), to: Math.round(d.view.to - shift) });
    }
  };
  const up = () => {
    const d = drag.current;
    drag.current = null;
    if (d?.kind === 'seek' && preview !== null) onSeek(preview);
    if (d?.kind === 'select' && selecting && selecting.to > selecting.from) onSelect?.(selecting);
    setPreview(null);
    setSelecting(null);
  };

  const clip = (a: number, b: number) => {
    const x1 = Math.max(0, xOf(view, a, plot));
    const x2 = Math.min(plot, xOf(view, b, plot));
    return x2 > x1 ? { x: x1, w: Math.max(1, x2 - x1) } : null;
  };
  const shown = preview ?? cursor;

  return (
    <>
    <svg
      ref={svgRef}
      width={width}
      height={height}
      data-testid="timeline"
      data-view-from={view.from}
      data-view-to={view.to}
      style={{ userSelect: 'none', display: 'block' }}
      onWheel={(e) => {
        const x = xInPlot(e);
        if (x < 0) return;
        onView(zoomAt(view, msOf(view, x, plot), e.deltaY > 0 ? 1.5 : 1 / 1.5));
      }}
    >
      <defs>
        <pattern id="vigil-before" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#f5f5f5" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#d9d9d9" strokeWidth="2" />
        </pattern>
      </defs>
      <g transform={`translate(${LABEL},0)`}>
        <rect width={plot} height={RULER} fill="#f5f5f5" style={{ cursor: 'grab' }} onPointerDown={(e) => down(e, 'pan')} onPointerMove={move} onPointerUp={up} data-testid="timeline-ruler" />
        {at.map((t) => {
          const x = xOf(view, t, plot);
          return (
            <g key={t} pointerEvents="none">
              <line x1={x} x2={x} y1={RULER - 6} y2={height} stroke="#e0e0e0" />
              <text x={x + 3} y={14} fontSize={11} fill="#555">{tickLabel(t, step)}</text>
            </g>
          );
        })}
      </g>
      {rows.map((r, i) => {
        const y = RULER + i * ROW + 2;
        const tl = r.timeline;
        // Before its oldest recording (or, with none, its registration) a camera was not recording yet.
        const since = tl?.firstRecordedMs ?? r.since;
        return (
          <g key={i} data-testid={`timeline-row-${i}`}>
            <text x={4} y={y + 16} fontSize={12} fill="#333">
              {r.label.length > 12 ? `${r.label.slice(0, 12)}…` : r.label}
              {tl && ` ${tl.coveragePct < 10 ? tl.coveragePct.toFixed(1) : tl.coveragePct.toFixed(0)}%`}
            </text>
            <g transform={`translate(${LABEL},0)`}>
              <rect y={y} width={plot} height={ROW - 6} fill="#fafafa" stroke="#eee" />
              {since !== undefined && since > view.from && (() => {
                const c = clip(view.from, since);
                return c && <rect data-kind="before" x={c.x} y={y} width={c.w} height={ROW - 6} fill="url(#vigil-before)" pointerEvents="none" />;
              })()}
              {tl?.gaps.map((g, k) => {
                const c = clip(Math.max(g.startMs, since ?? g.startMs), g.endMs);
                return c && <rect key={`g${k}`} data-kind="gap" x={c.x} y={y} width={c.w} height={ROW - 6} fill="#ffccc7" pointerEvents="none" />;
              })}
              {tl?.ranges.map((g, k) => {
                const c = clip(g.startMs, g.endMs);
                return c && <rect key={`r${k}`} data-kind="recorded" x={c.x} y={y} width={c.w} height={ROW - 6} fill="#52c41a" pointerEvents="none" />;
              })}
              {tl?.backfilled.map((g, k) => {
                const c = clip(g.startMs, g.endMs);
                return c && <rect key={`b${k}`} data-kind="backfilled" data-from={g.startMs} data-to={g.endMs} x={c.x} y={y} width={c.w} height={ROW - 6} fill={BACKFILLED} pointerEvents="none" />;
              })}
              {/* The device's own recordings (GB/T 28181 RecordInfo): a band along the row's foot. */}
              {r.device?.map((g, k) => {
                const c = clip(g.startMs, g.endMs);
                return c && <rect key={`d${k}`} data-kind="device" data-from={g.startMs} data-to={g.endMs} x={c.x} y={y + ROW - 11} width={c.w} height={5} fill={DEVICE} pointerEvents="none" />;
              })}
              <rect y={y} width={plot} height={ROW - 6} fill="transparent" style={{ cursor: 'pointer' }} onPointerDown={(e) => down(e, 'seek')} onPointerMove={move} onPointerUp={up} />
              {tl?.keptAside.map((g, k) => {
                const c = clip(g.startMs, g.endMs);
                return c && (
                  <Tooltip key={`k${k}`} title={`${formatTime(g.startMs)}–${formatTime(g.endMs)} ${t('playback.keptAside', { node: g.node, epoch: g.epoch, overlap: g.overlapsRecording ? t('playback.keptAsideOverlap') : '' })}`}>
                    <rect data-kind="kept-aside" data-testid="timeline-kept-aside" data-from={g.startMs} data-to={g.endMs} x={c.x} y={y} width={Math.max(c.w, 2)} height={5} fill={KEPT_ASIDE} style={{ cursor: 'help' }} />
                  </Tooltip>
                );
              })}
              {r.bookmarks?.map((b, k) => {
                const x = xOf(view, b.at, plot);
                if (x < 0 || x > plot) return null;
                return (
                  <Tooltip key={`b${k}`} title={`${formatTime(b.at)} ${b.note}`}>
                    <path data-kind="bookmark" data-testid="timeline-bookmark" d={`M${x},${y + ROW - 6} L${x},${y + 2} L${x + 8},${y + 5} L${x},${y + 8}`} fill="#1677ff" stroke="#1677ff" strokeWidth={1.5} style={{ cursor: 'pointer' }} onClick={() => onSeek(b.at)} />
                  </Tooltip>
                );
              })}
              {tl?.events.map((ev, k) => {
                const x = xOf(view, ev.startMs, plot);
                if (x < 0 || x > plot) return null;
                return (
                  <Tooltip key={`e${k}`} title={eventTitle(ev)}>
                    <path data-kind="event" data-testid="timeline-event" d={`M${x - 6},${y} L${x + 6},${y} L${x},${y + 10} Z`} fill="#fa8c16" stroke="#fff" strokeWidth={0.5} style={{ cursor: 'help' }} onClick={() => onSeek(ev.startMs)} />
                  </Tooltip>
                );
              })}
            </g>
          </g>
        );
      })}
      {(() => {
        const sel = selecting ?? selection;
        const c = sel && clip(sel.from, sel.to);
        return c && <rect data-testid="timeline-selection" data-from={sel.from} data-to={sel.to} x={LABEL + c.x} y={RULER} width={c.w} height={height - RULER} fill="rgba(22,119,255,0.18)" stroke="#1677ff" pointerEvents="none" />;
      })()}
      {shown !== null && xOf(view, shown, plot) >= 0 && xOf(view, shown, plot) <= plot && (
        <line data-testid="timeline-cursor" x1={LABEL + xOf(view, shown, plot)} x2={LABEL + xOf(view, shown, plot)} y1={0} y2={height} stroke={preview !== null ? '#1677ff' : '#f5222d'} strokeWidth={2} pointerEvents="none" />
      )}
    </svg>
    <div data-testid="timeline-legend" style={{ display: 'flex', gap: 16, fontSize: 12, color: '#555', marginTop: 4, flexWrap: 'wrap' }}>
      {([['#52c41a', 'recorded'], [BACKFILLED, 'backfilled'], [DEVICE, 'device'], [KEPT_ASIDE, 'keptAside'], ['#ffccc7', 'gap'], ['url(#vigil-before)', 'before'], ['#fa8c16', 'event'], ['#1677ff', 'bookmark'], ['rgba(22,119,255,0.3)', 'selection']] as const).map(([fill, key]) => (
        <span key={key} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
          <svg width={14} height={10}><rect width={14} height={10} fill={fill} stroke="#d9d9d9" /></svg>
          {t(`playback.legend.${key}`)}
        </span>
      ))}
    </div>
    </>
  );
}
