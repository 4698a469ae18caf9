// Saved wall views and tours. A view is a layout and the camera on each tile, saved under a name
// on the server (PUT /wall-views), each person's own, so it follows them to any desk; a tour
// cycles the wall through cameras, a wall-full at a time, every few seconds (轮巡). An empty wall
// starts on the first cameras one may see.
import { Button, Input, Modal, Popconfirm, Select, Space, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { workspaceApi } from '../../api/workspace';
import { useAsync } from '../../common/use-async';
import { useErrorReporter } from '../../common/error-report';

export interface WallState {
  layout: 1 | 4 | 9 | 16;
  tiles: (number | null)[];
}


/** The tiles of the tour's step `step`: the next wall-full of cameras, wrapping round. */
export function tourTiles(cameraIds: number[], layout: number, step: number): (number | null)[] {
  if (!cameraIds.length) return [];
  const pages = Math.max(1, Math.ceil(cameraIds.length / layout));
  const start = (step % pages) * layout;
  return Array.from({ length: layout }, (_, i) => cameraIds[start + i] ?? null);
}

export const TOUR_SECONDS = [10, 30, 60] as const;

interface Props {
  wall: WallState;
  onApply(w: WallState): void;
  /** Cameras a tour goes through, in tree order. */
  tourCameras: number[];
}

export function WallViews({ wall, onApply, tourCameras }: Props) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const saved = useAsync((signal) => workspaceApi.wallViews.list(signal), []);
  const views = saved.data ?? [];
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [tour, setTour] = useState(false);
  const [seconds, setSeconds] = useState<number>(TOUR_SECONDS[0]);

  // The tour: the first wall-full at once, then the next every `seconds`.
  useEffect(() => {
    if (!tour) return;
    let step = 0;
    onApply({ layout: wall.layout, tiles: tourTiles(tourCameras, wall.layout, step) });
    const timer = setInterval(() => onApply({ layout: wall.layout, tiles: tourTiles(tourCameras, wall.layout, ++step) }), seconds * 1000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tour, seconds, wall.layout, tourCameras.join(',')]);

  const save = async () => {
    const n = name.trim();
    if (!n) return;
    try {
      await workspaceApi.wallViews.save({ name: n, layout: wall.layout, tiles: wall.tiles.slice(0, wall.layout) });
      setNaming(false);
      setName('');
    } catch (e) {
      report(e);
    } finally {
      saved.reload();
    }
  };
  const clear = async () => {
    for (const v of views) await workspaceApi.wallViews.remove(v.id).catch(report);
    saved.reload();
  };

  return (
    <Space size={6} wrap>
      <Select
        size="small"
        style={{ minWidth: 140 }}
        placeholder={t('wall.views')}
        value={null}
        data-testid="wall-views"
        notFoundContent={t('wall.noViews')}
        loading={saved.loading}
        options={views.map((v) => ({ value: v.name, label: v.name }))}
        onChange={(n: string) => {
          const v = views.find((x) => x.name === n);
          if (v) {
            setTour(false);
            onApply({ layout: v.layout as WallState['layout'], tiles: v.tiles });
          }
        }}
      />
      <Button size="small" onClick={() => setNaming(true)} data-testid="wall-save-view">{t('wall.saveView')}</Button>
      {views.length > 0 && (
        <Popconfirm title={t('wall.deleteViews')} onConfirm={() => void clear()}>
          <Button size="small" type="text" danger>{t('wall.clearViews')}</Button>
        </Popconfirm>
      )}
      <Space size={4}>
        <Switch size="small" checked={tour} onChange={setTour} disabled={!tourCameras.length} data-testid="wall-tour" />
        {t('wall.tour')}
        <Select<number> size="small" value={seconds} onChange={setSeconds} options={TOUR_SECONDS.map((s) => ({ value: s, label: t('wall.everySeconds', { count: s }) }))} data-testid="wall-tour-seconds" />
      </Space>
      <Modal open={naming} title={t('wall.saveView')} onOk={() => void save()} onCancel={() => setNaming(false)} okButtonProps={{ disabled: !name.trim() }} destroyOnHidden>
        <Input autoFocus value={name} onChange={(e) => setName(e.target.value)} onPressEnter={() => void save()} placeholder={t('wall.viewName')} data-testid="wall-view-name" maxLength={40} />
      </Modal>
    </Space>
  );
}
