// Playback by wall-clock time: up to four cameras on one timeline. The first camera leads; the
// others follow its clock. Seeking (timeline or date picker) opens each camera's plan at that
// instant; gaps are skipped by the plan; 1/2/4/8× and frame steps act on every player.
import { Alert, Button, Card, Col, DatePicker, Row, Segmented, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mediaApi, type PlaybackPlan } from '../../api/media';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { CameraTree } from '../../common/camera-tree';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { PlaybackStream, playerTimeAt } from '../../media/playback-stream';
import { downloadSnapshot } from '../../media/snapshot';
import { formatTime } from '../access-requests/request-state';
import { TimelineBar } from './timeline-bar';
import { viewAround, ZOOMS, type View, type ZoomKey } from './timeline-scale';

export const MAX_CAMERAS = 4;
export const SPEEDS = [1, 2, 4, 8] as const;
const FRAME_S = 1 / 25;
const SYNC_TOLERANCE_S = 0.4;

function useWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    if (!ref.current) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.floor(e!.contentRect.width)));
    ro.observe(ref.current);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}

export default function PlaybackPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const { catalogue, loading } = useCameraCatalogue();
  const [cameraIds, setCameraIds] = useState<number[]>([]);
  const [view, setView] = useState<View>(() => viewAround(Date.now() - 1800_000, 3600_000));
  const [cursor, setCursor] = useState<number | null>(null);
  // While a seek positions the players, the clock keeps the instant asked for: a player still
  // at its fragment's first frame must not show an earlier time.
  const seeking = useRef(false);
  const [speed, setSpeed] = useState<number>(1);
  const [playing, setPlaying] = useState(false);
  const [plans, setPlans] = useState<Record<number, PlaybackPlan | undefined>>({});
  const [busy, setBusy] = useState(false);
  const videos = useRef(new Map<number, HTMLVideoElement>());
  const streams = useRef(new Map<number, PlaybackStream>());
  const { ref: timelineBox, width } = useWidth<HTMLDivElement>();

  const timeline = useAsync(
    (signal) => (cameraIds.length ? mediaApi.timeline.shared(cameraIds, view.from, view.to, Math.round((view.to - view.from) / 2000), signal) : Promise.resolve(undefined)),
    [cameraIds.join(','), view.from, view.to],
  );

  // Players follow the chosen cameras.
  useEffect(() => {
    for (const [id, s] of streams.current) {
      if (!cameraIds.includes(id)) {
        s.stop();
        streams.current.delete(id);
      }
    }
  }, [cameraIds]);
  useEffect(() => () => {
    for (const s of streams.current.values()) s.stop();
  }, []);

  const streamOf = (id: number) => {
    let s = streams.current.get(id);
    const video = videos.current.get(id);
    if (!s && video) {
      s = new PlaybackStream(video, id);
      streams.current.set(id, s);
    }
    return s;
  };

  const seek = useCallback(
    async (instant: number) => {
      setBusy(true);
      seeking.current = true;
      setCursor(instant);
      setView((v) => (instant < v.from || instant > v.to ? viewAround(instant, v.to - v.from) : v));
      try {
        const opened: Record<number, PlaybackPlan | undefined> = {};
        await Promise.all(
          cameraIds.map(async (id) => {
            const s = streamOf(id);
            if (!s) return;
            if (!s.moveTo(instant)) await s.seek(instant);
            opened[id] = s.plan;
          }),
        );
        setPlans(opened);
        for (const id of cameraIds) {
          const v = videos.current.get(id);
          if (!v) continue;
          v.playbackRate = speed;
          void v.play().catch(() => undefined);
        }
        setPlaying(true);
      } catch (e) {
        report(e);
      } finally {
        seeking.current = false;
        setBusy(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cameraIds.join(','), speed, report],
  );

  // The leader's clock drives the cursor; the others are pulled back to it when they drift.
  useEffect(() => {
    const timer = setInterval(() => {
      if (seeking.current) return;
      const leader = streams.current.get(cameraIds[0]!);
      const now = leader?.now();
      if (now === null || now === undefined) return;
      setCursor(now);
      for (const id of cameraIds.slice(1)) {
        const s = streams.current.get(id);
        const v = videos.current.get(id);
        if (!s?.plan || !v) continue;
        const target = playerTimeAt(s.plan, now);
        if (target !== null && Math.abs(v.currentTime - target) > SYNC_TOLERANCE_S) v.currentTime = target;
      }
    }, 250);
    return () => clearInterval(timer);
  }, [cameraIds]);

  const forAll = (f: (v: HTMLVideoElement) => void) => cameraIds.forEach((id) => { const v = videos.current.get(id); if (v) f(v); });
  const setRate = (r: number) => {
    setSpeed(r);
    forAll((v) => { v.playbackRate = r; });
  };
  const togglePlay = () => {
    if (playing) forAll((v) => v.pause());
    else forAll((v) => void v.play().catch(() => undefined));
    setPlaying(!playing);
  };
  const step = (dir: 1 | -1) => {
    forAll((v) => {
      v.pause();
      v.currentTime = Math.max(0, v.currentTime + dir * FRAME_S);
    });
    setPlaying(false);
  };

  const onEnded = (id: number) => {
    // The plan covers two hours; the leader asks for the next one where recording goes on.
    const next = plans[id]?.nextFromMs;
    if (id === cameraIds[0] && next !== null && next !== undefined) void seek(next);
  };

  const cols = cameraIds.length <= 1 ? 1 : 2;
  const zoom = ZOOMS.find((z) => z.ms === view.to - view.from)?.key;
  const labelOf = (id: number) => catalogue.byId.get(id)?.name ?? `#${id}`;

  return (
    <Row gutter={12} wrap={false}>
      <Col flex="280px">
        <Card size="small" title={t('playback.cameras', { max: MAX_CAMERAS })} loading={loading}>
          <CameraTree
            catalogue={catalogue}
            checkable
            checked={cameraIds}
            onCheck={(ids) => {
              if (ids.length > MAX_CAMERAS) report(new Error(t('playback.tooMany', { max: MAX_CAMERAS })));
              setCameraIds(ids.slice(0, MAX_CAMERAS));
            }}
            height={600}
          />
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <Card size="small" title={t('nav.playback')} extra={<Typography.Text data-testid="playback-clock" data-ms={cursor ?? ''}>{cursor !== null ? formatTime(cursor) : '—'}</Typography.Text>}>
          {cameraIds.length === 0 && <Alert type="info" showIcon message={t('playback.pick')} style={{ marginBottom: 12 }} />}
          <div style={{ display: 'grid', gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gap: 4 }}>
            {cameraIds.map((id) => {
              const plan = plans[id];
              return (
                <div key={id} style={{ position: 'relative', background: '#111', aspectRatio: '16 / 9' }} data-testid={`playback-tile-${id}`}>
                  <video
                    ref={(el) => { if (el) videos.current.set(id, el); else videos.current.delete(id); }}
                    muted
                    playsInline
                    onEnded={() => onEnded(id)}
                    style={{ width: '100%', height: '100%', objectFit: 'contain' }}
                  />
                  <div style={{ position: 'absolute', top: 0, left: 0, right: 0, padding: '2px 6px', background: 'rgba(0,0,0,0.45)', display: 'flex', gap: 6, alignItems: 'center' }}>
                    <Typography.Text style={{ color: '#fff', flex: 1 }} ellipsis>{labelOf(id)}</Typography.Text>
                    {plan?.requestedInGap && <Tag color="orange">{t('playback.inGap')}</Tag>}
                    {plan && plan.segments.length === 0 && <Tag color="red">{t('playback.nothing')}</Tag>}
                    <Button size="small" type="text" style={{ color: '#fff' }} disabled={!plan?.segments.length} onClick={() => void downloadSnapshot(videos.current.get(id)!, labelOf(id)).catch(report)}>
                      {t('wall.snapshot')}
                    </Button>
                  </div>
                </div>
              );
            })}
          </div>
          <Space wrap style={{ marginBlock: 12 }}>
            <DatePicker
              showTime
              placeholder={t('playback.goTo')}
              value={cursor !== null ? dayjs(cursor) : null}
              onChange={(d) => d && void seek(d.valueOf())}
              disabled={!cameraIds.length}
              data-testid="playback-goto"
            />
            <Button onClick={togglePlay} disabled={!cameraIds.length || cursor === null} loading={busy} data-testid="playback-play">
              {playing ? t('playback.pause') : t('playback.play')}
            </Button>
            <Button onClick={() => step(-1)} disabled={cursor === null} data-testid="playback-step-back">{t('playback.stepBack')}</Button>
            <Button onClick={() => step(1)} disabled={cursor === null} data-testid="playback-step">{t('playback.stepForward')}</Button>
            <Segmented<number> value={speed} onChange={setRate} options={SPEEDS.map((s) => ({ value: s, label: `${s}×` }))} data-testid="playback-speed" />
            <Segmented<ZoomKey | ''>
              value={zoom ?? ''}
              onChange={(k) => {
                const z = ZOOMS.find((x) => x.key === k);
                if (z) setView(viewAround(cursor ?? (view.from + view.to) / 2, z.ms));
              }}
              options={ZOOMS.map((z) => ({ value: z.key, label: t(`playback.zoom.${z.key}`) }))}
              data-testid="playback-zoom"
            />
          </Space>
          <div ref={timelineBox} style={{ width: '100%' }}>
            <TimelineBar
              view={view}
              width={width}
              cursor={cursor}
              rows={cameraIds.map((id) => ({ label: labelOf(id), timeline: timeline.data?.cameras.find((c) => c.cameraId === id) }))}
              onSeek={(ms) => void seek(ms)}
              onView={setView}
            />
          </div>
          <Typography.Text type="secondary">{formatTime(view.from)} – {formatTime(view.to)} · {t('playback.help')}</Typography.Text>
        </Card>
      </Col>
    </Row>
  );
}
