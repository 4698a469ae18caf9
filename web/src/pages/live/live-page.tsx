// The video wall: the camera tree on the left (by region / unit / group, searchable), tiles in a
// 1 / 4 / 9 / 16 layout on the right. Drag a camera onto a tile, or double-click it to fill the
// next free tile. The wall's cameras are kept per browser so a reload brings them back; a first
// visit starts on the first cameras one may see; views are saved by name and toured (wall-views).
// One tile can be enlarged over the wall (its button or a double-click on the picture): the
// others' streams close meanwhile and reopen when the wall comes back.
import { Card, Col, Radio, Row, Segmented, Space, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { CameraTree } from '../../common/camera-tree';
import type { Transport } from '../../media/live-stream';
import { ReportSuspicious } from './report-suspicious';
import { VideoTile } from './video-tile';
import { WallViews } from './wall-views';

export const LAYOUTS = [1, 4, 9, 16] as const;
type Layout = (typeof LAYOUTS)[number];
const STORAGE_KEY = 'vigil.wall';

function restore(): { layout: Layout; tiles: (number | null)[]; fresh?: boolean } {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as { layout: Layout; tiles: (number | null)[] } | null;
    if (v && LAYOUTS.includes(v.layout) && Array.isArray(v.tiles)) return v;
  } catch {
    // A damaged entry just starts a fresh wall.
  }
  return { layout: 4, tiles: [], fresh: true };
}

export default function LivePage() {
  const { t } = useTranslation();
  const { catalogue, loading } = useCameraCatalogue();
  const [wall, setWall] = useState(restore);
  const [prefer, setPrefer] = useState<Transport | 'auto'>('auto');
  const [live, setLive] = useState<Map<number, boolean>>(new Map());
  // One tile enlarged over the whole wall: the other tiles are unmounted, so their streams close
  // (no bandwidth or decoding spent on what nobody sees) and reopen when the wall comes back.
  const [focus, setFocus] = useState<number | null>(null);
  useEffect(() => setFocus(null), [wall.layout]);

  useEffect(() => {
    if (!wall.fresh) localStorage.setItem(STORAGE_KEY, JSON.stringify(wall));
  }, [wall]);
  // A first visit is not an empty wall: the first cameras one may see, in tree order.
  useEffect(() => {
    if (wall.fresh && catalogue.cameras.length) setWall({ layout: wall.layout, tiles: catalogue.cameras.slice(0, wall.layout).map((c) => c.id) });
  }, [wall, catalogue.cameras]);

  const put = (index: number, cameraId: number | null) =>
    setWall((w) => {
      const tiles = [...w.tiles];
      while (tiles.length <= index) tiles.push(null);
      tiles[index] = cameraId;
      return { layout: w.layout, tiles };
    });

  const openNext = (c: Camera) => {
    const free = Array.from({ length: wall.layout }, (_, i) => i).find((i) => !wall.tiles[i]);
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

  const columns = focus === null ? Math.sqrt(wall.layout) : 1;
  const shown = Array.from({ length: wall.layout }, (_, i) => i).filter((i) => focus === null || i === focus);
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
              <WallViews wall={wall} onApply={(w) => setWall(w)} tourCameras={catalogue.cameras.map((c) => c.id)} />
              <ReportSuspicious wall={wall.tiles.slice(0, wall.layout)} />
              <Radio.Group size="small" value={prefer} onChange={(e) => setPrefer(e.target.value as Transport | 'auto')} optionType="button" data-testid="wall-transport"
                options={[{ value: 'auto', label: t('wall.auto') }, { value: 'webrtc', label: 'WebRTC' }, { value: 'hls', label: 'HLS' }]} />
              <Segmented<Layout>
                size="small"
                value={wall.layout}
                onChange={(layout) => setWall((w) => ({ layout, tiles: w.tiles }))}
                options={LAYOUTS.map((n) => ({ value: n, label: t('wall.layout', { count: n }) }))}
                data-testid="wall-layout"
              />
            </Space>
          }
        >
          {catalogue.cameras.length === 0 && !loading && <Typography.Text type="secondary">{t('wall.noCameras')}</Typography.Text>}
          <div style={{ display: 'grid', gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: 4 }} data-testid="wall">
            {shown.map((i) => {
              const id = wall.tiles[i];
              return (
                <VideoTile
                  key={i}
                  index={i}
                  enlarged={focus === i}
                  onEnlarge={wall.layout > 1 ? () => setFocus((f) => (f === i ? null : i)) : undefined}
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
