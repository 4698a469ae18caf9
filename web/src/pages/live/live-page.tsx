// The video wall: the camera tree on the left (by region / unit / group, searchable), tiles in a
// 1 / 4 / 9 / 16 layout on the right. Drag a camera onto a tile, or double-click it to fill the
// next free tile. The wall as one leaves it is kept on the server (PUT /wall), the person's own,
// so it comes back on any browser; a first visit starts on the first cameras one may see; views
// are saved by name and toured (wall-views). `/live?open=ID` (from the map) puts a camera first.
// One tile can be enlarged over the wall (its button or a double-click on the picture): the
// others' streams close meanwhile and reopen when the wall comes back.
import { Card, Col, Radio, Row, Segmented, Space, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { workspaceApi } from '../../api/workspace';
import { useErrorReporter } from '../../common/error-report';
import { catalogueFirstReads, useCameraCatalogue } from '../../common/camera-catalogue';
import { CameraTree } from '../../common/camera-tree';
import type { Transport } from '../../media/live-stream';
import { ReportSuspicious } from './report-suspicious';
import { VideoTile } from './video-tile';
import { WallViews } from './wall-views';

export const LAYOUTS = [1, 4, 9, 16] as const;
type Layout = (typeof LAYOUTS)[number];
/** How long the wall stays still before it is kept: a drag or a layout click is one write, not many. */
const KEEP_AFTER_MS = 500;

interface Wall { layout: Layout; tiles: (number | null)[]; fresh?: boolean }

/** The wall kept on the server, with the camera asked for by `?open=` put on its first tile. */
async function restore(signal: AbortSignal): Promise<Wall> {
  const kept = await workspaceApi.wall.get(signal);
  const open = Number(new URLSearchParams(window.location.search).get('open'));
  const layout = (LAYOUTS as readonly number[]).includes(kept.layout) ? (kept.layout as Layout) : 4;
  if (open > 0) {
    window.history.replaceState(null, '', window.location.pathname);
    return { layout, tiles: [open, ...kept.tiles.filter((id) => id !== open)].slice(0, 16) };
  }
  return { layout, tiles: kept.tiles, fresh: kept.updatedAt === null };
}

/** The reads of the first paint (the wall kept, the cameras one watches), begun early by a page load. */
export function firstReads(): void {
  void workspaceApi.wall.get();
  catalogueFirstReads();
}

export default function LivePage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const { catalogue, loading } = useCameraCatalogue();
  const [wall, setWall] = useState<Wall | null>(null);
  const [prefer, setPrefer] = useState<Transport | 'auto'>('auto');
  const [live, setLive] = useState<Map<number, boolean>>(new Map());
  // One tile enlarged over the whole wall: the other tiles are unmounted, so their streams close
  // (no bandwidth or decoding spent on what nobody sees) and reopen when the wall comes back.
  const [focus, setFocus] = useState<number | null>(null);
  useEffect(() => setFocus(null), [wall?.layout]);

  // The kept wall is asked for beside the catalogue, not after it, once a visit.
  const reportRef = useRef(report);
  reportRef.current = report;
  useEffect(() => {
    const ctl = new AbortController();
    restore(ctl.signal).then(setWall, (e: unknown) => {
      if (ctl.signal.aborted) return;
      reportRef.current(e);
      setWall({ layout: 4, tiles: [], fresh: true });
    });
    return () => ctl.abort();
  }, []);

  // Each change is kept a moment after the wall stops changing, and at once when one leaves the page.
  const pending = useRef<Wall | null>(null);
  const keep = useCallback((leaving = false) => {
    const w = pending.current;
    pending.current = null;
    if (w) workspaceApi.wall.keep({ layout: w.layout, tiles: w.tiles.slice(0, 16) }, leaving).catch((e: unknown) => !leaving && reportRef.current(e));
  }, []);
  useEffect(() => {
    if (!wall || wall.fresh) return;
    pending.current = wall;
    const timer = setTimeout(keep, KEEP_AFTER_MS);
    return () => clearTimeout(timer);
  }, [wall, keep]);
  useEffect(() => {
    // A reload or a closed tab within the moment still keeps the change (the request outlives the page).
    const leave = () => keep(true);
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      keep();
    };
  }, [keep]);

  // A first visit is not an empty wall: the first cameras one may see, in tree order.
  useEffect(() => {
    if (wall?.fresh && catalogue.cameras.length) setWall({ layout: wall.layout, tiles: catalogue.cameras.slice(0, wall.layout).map((c) => c.id), fresh: true });
  }, [wall?.fresh, wall?.layout, catalogue.cameras]);

  const put = (index: number, cameraId: number | null) =>
    setWall((w) => {
      const tiles = [...(w?.tiles ?? [])];
      while (tiles.length <= index) tiles.push(null);
      tiles[index] = cameraId;
      return { layout: w?.layout ?? 4, tiles };
    });

  const openNext = (c: Camera) => {
    const free = Array.from({ length: wall?.layout ?? 4 }, (_, i) => i).find((i) => !wall?.tiles[i]);
    put(free ?? 0, c.id);
  };

  const onLive = useCallback((cameraId: number, on: boolean) => {
    setLive((m) => {
      if ((m.get(cameraId) ?? false) === on) return m;
      const next = new Map(m);
      next.set(cameraId, on);
      return next;
    });
  }, []);

  const layout = wall?.layout ?? 4;
  const columns = focus === null ? Math.sqrt(layout) : 1;
  // Tiles are drawn once the kept wall is known, so no stream opens for a camera about to be replaced.
  const shown = wall ? Array.from({ length: layout }, (_, i) => i).filter((i) => focus === null || i === focus) : [];
  return (
    <Row gutter={12} wrap={false}>
      <Col flex="280px">
        <Card size="small" title={t('wall.cameras')} loading={loading}>
          <CameraTree catalogue={catalogue} live={live} draggable onOpen={openNext} height={640} />
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <Card
          size="small"
          title={t('nav.live')}
          extra={
            <Space>
              <WallViews wall={wall ?? { layout, tiles: [] }} onApply={(w) => setWall(w)} tourCameras={catalogue.cameras.map((c) => c.id)} />
              <ReportSuspicious wall={wall?.tiles.slice(0, layout) ?? []} catalogue={catalogue} />
              <Radio.Group size="small" value={prefer} onChange={(e) => setPrefer(e.target.value as Transport | 'auto')} optionType="button" data-testid="wall-transport"
                options={[{ value: 'auto', label: t('wall.auto') }, { value: 'webrtc', label: 'WebRTC' }, { value: 'hls', label: 'HLS' }]} />
              <Segmented<Layout>
                size="small"
                value={layout}
                onChange={(l) => setWall((w) => ({ layout: l, tiles: w?.tiles ?? [] }))}
                options={LAYOUTS.map((n) => ({ value: n, label: t('wall.layout', { count: n }) }))}
                data-testid="wall-layout"
              />
            </Space>
          }
        >
          {catalogue.cameras.length === 0 && !loading && <Typography.Text type="secondary">{t('wall.noCameras')}</Typography.Text>}
          <div style={{ display: 'grid', gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: 4 }} data-testid="wall">
            {shown.map((i) => {
              const id = wall?.tiles[i];
              return (
                <VideoTile
                  key={i}
                  index={i}
                  enlarged={focus === i}
                  onEnlarge={layout > 1 ? () => setFocus((f) => (f === i ? null : i)) : undefined}
                  camera={id ? catalogue.byId.get(id) : undefined}
                  prefer={prefer}
                  onDropCamera={(cameraId) => put(i, cameraId)}
                  onClear={() => {
                    put(i, null);
                    setFocus(null);
                  }}
                  onLive={onLive}
                />
              );
            })}
          </div>
        </Card>
      </Col>
    </Row>
  );
}
