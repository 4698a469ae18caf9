// The map of camera points: every camera one may see at its coordinates, its view drawn as a
// sector (direction and field of view), found by name or national ID. Drawn by the browser on a
// Web Mercator plane with a distance scale, so it needs no tile server and no internet (police
// networks run their own); drag to move, wheel to zoom. A camera picked opens on the wall.
// Positions are confidential basic information (CN-6, HRB-27): the map is for those who may read
// it (basic-info:read) and for those who watch the cameras (map:view, the duty operator: they
// must know where a camera stands to follow someone from camera to camera and to send help);
// those get positions, directions and fields of view only, never national IDs or addresses, and
// the server registers each showing. The server leaves positions out for everyone else.
import { Card, Col, Descriptions, Empty, Input, List, Row, Space, Tag, Typography, Button } from 'antd';
import { useMemo, useRef, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { navigate } from '../../shell/router';
import { fitView, project, sectorPath, type MapView } from './projection';

const W = 900;
const H = 620;

export default function MapPage() {
  const { t } = useTranslation();
  const { catalogue, loading } = useCameraCatalogue(true, true);
  const placed = useMemo(() => catalogue.cameras.filter((c) => c.longitude !== null && c.latitude !== null), [catalogue.cameras]);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<number>();
  const [view, setView] = useState<MapView>();
  const shown = view ?? fitView(placed.map((c) => [c.longitude!, c.latitude!]), W, H);
  const drag = useRef<{ x: number; y: number; view: MapView } | null>(null);

  const q = query.trim().toLowerCase();
  const found = q ? placed.filter((c) => c.name.toLowerCase().includes(q) || (c.gbId ?? '').includes(q)) : placed;
  const camera = placed.find((c) => c.id === selected);

  const pick = (c: Camera) => {
    setSelected(c.id);
    // Centre on it, keeping the zoom.
    const [x, y] = project(shown, c.longitude!, c.latitude!);
    setView({ ...shown, offsetX: shown.offsetX + (W / 2 - x), offsetY: shown.offsetY + (H / 2 - y) });
  };

  const down = (e: PointerEvent<SVGRectElement>) => {
    (e.target as Element).setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, view: shown };
  };
  const move = (e: PointerEvent<SVGRectElement>) => {
    const d = drag.current;
    if (d) setView({ ...d.view, offsetX: d.view.offsetX + e.clientX - d.x, offsetY: d.view.offsetY + e.clientY - d.y });
  };
  const svgRef = useRef<SVGSVGElement>(null);
  const zoom = (clientX: number, clientY: number, factor: number) => {
    const box = svgRef.current?.getBoundingClientRect();
    const px = box ? ((clientX - box.left) / box.width) * W : W / 2;
    const py = box ? ((clientY - box.top) / box.height) * H : H / 2;
    const scale = Math.min(5e7, Math.max(50, shown.scale * factor));
    const k = scale / shown.scale;
    setView({ scale, offsetX: px - (px - shown.offsetX) * k, offsetY: py - (py - shown.offsetY) * k });
  };

  // A scale bar of a round distance near 120 px.
  const metresPerPx = 40_075_016 / (2 * Math.PI) / shown.scale * Math.cos(((placed[0]?.latitude ?? 30) * Math.PI) / 180);
  const bar = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000].find((m) => m / metresPerPx >= 80) ?? 50_000;
  const radius = Math.max(14, Math.min(60, 60 / metresPerPx));

  return (
    <Row gutter={12} wrap={false}>
      <Col flex="300px">
        <Card size="small" title={t('map.cameras', { count: placed.length })} loading={loading}>
          <Input.Search allowClear placeholder={t('map.search')} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="map-search" />
          <List
            size="small"
            style={{ maxHeight: 560, overflow: 'auto', marginTop: 8 }}
            dataSource={found}
            locale={{ emptyText: t('map.none') }}
            renderItem={(c) => (
              <List.Item onClick={() => pick(c)} style={{ cursor: 'pointer', background: c.id === selected ? '#e6f4ff' : undefined }} data-testid={`map-item-${c.id}`}>
                <Typography.Text ellipsis>{c.name}</Typography.Text>
              </List.Item>
            )}
          />
          {catalogue.cameras.length > placed.length && <Typography.Text type="secondary">{t('map.unplaced', { count: catalogue.cameras.length - placed.length })}</Typography.Text>}
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <Card size="small" title={t('nav.map')} extra={<Typography.Text type="secondary">{t('map.help')}</Typography.Text>}>
          {placed.length === 0 && !loading ? (
            <Empty description={t('map.nothing')} />
          ) : (
            <svg ref={svgRef} viewBox={`0 0 ${W} ${H}`} style={{ width: '100%', background: '#f3f6f9', display: 'block', userSelect: 'none' }} data-testid="map"
              onWheel={(e) => zoom(e.clientX, e.clientY, e.deltaY > 0 ? 1 / 1.4 : 1.4)}>
              <rect width={W} height={H} fill="transparent" style={{ cursor: 'grab' }} onPointerDown={down} onPointerMove={move} onPointerUp={() => (drag.current = null)} />
              {placed.map((c) => {
                const [x, y] = project(shown, c.longitude!, c.latitude!);
                const on = c.id === selected;
                return (
                  <g key={c.id} data-testid={`map-camera-${c.id}`} data-x={x.toFixed(1)} data-y={y.toFixed(1)} data-selected={on ? 'true' : 'false'} onClick={() => setSelected(c.id)} style={{ cursor: 'pointer' }}>
                    {c.directionDeg !== null && <path d={sectorPath(x, y, radius, c.directionDeg, c.fovDeg ?? 60)} fill={on ? 'rgba(22,119,255,0.35)' : 'rgba(82,196,26,0.25)'} stroke={on ? '#1677ff' : '#52c41a'} data-kind="sector" />}
                    <circle cx={x} cy={y} r={on ? 7 : 5} fill={on ? '#1677ff' : c.status === 'in_service' ? '#389e0d' : '#8c8c8c'} stroke="#fff" strokeWidth={1.5} />
                    <title>{c.name}</title>
                    {(on || placed.length <= 30) && <text x={x + 8} y={y - 8} fontSize={12} fill="#222" pointerEvents="none">{c.name}</text>}
                  </g>
                );
              })}
              <g transform={`translate(16,${H - 24})`} pointerEvents="none" data-testid="map-scale">
                <rect x={0} y={0} width={bar / metresPerPx} height={4} fill="#333" />
                <text x={0} y={-4} fontSize={11} fill="#333">{bar >= 1000 ? `${bar / 1000} km` : `${bar} m`}</text>
              </g>
            </svg>
          )}
          {camera && (
            <Descriptions size="small" column={3} style={{ marginTop: 12 }} data-testid="map-detail" title={<Space>{camera.name}<Tag>{t(`enum.status.${camera.status}`)}</Tag></Space>}
              extra={<Button type="primary" onClick={() => navigate(`/live?open=${camera.id}`)} data-testid="map-open-live">{t('map.openLive')}</Button>}>
              {camera.gbId && <Descriptions.Item label={t('map.gbId')}>{camera.gbId}</Descriptions.Item>}
              <Descriptions.Item label={t('map.position')}>{camera.longitude!.toFixed(5)}, {camera.latitude!.toFixed(5)}</Descriptions.Item>
              <Descriptions.Item label={t('map.direction')}>{camera.directionDeg !== null ? `${camera.directionDeg}° / ${camera.fovDeg ?? '—'}°` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('map.address')} span={3}>{camera.address}</Descriptions.Item>
            </Descriptions>
          )}
        </Card>
      </Col>
    </Row>
  );
}
