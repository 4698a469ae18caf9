// Playback by wall-clock time: up to four cameras on one timeline, driven by one wall clock
// (sync-clock.ts). Seeking (timeline or date picker) opens each camera's plan at that instant;
// a camera with nothing recorded at the clock's instant is held and says so while the others go
// on; when all are in a gap the clock skips it; 1/2/4/8× and frame steps move the clock.
import { Alert, Button, Card, Checkbox, Col, Row, Segmented, Select, Space, Tag, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import dayjs from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi } from '../../api/access';
import { mediaApi, type PlaybackPlan } from '../../api/media';
import { holds, useMe } from '../../session/session';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { CameraTree } from '../../common/camera-tree';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { PlaybackStream, playerTimeAt } from '../../media/playback-stream';
import { downloadSnapshot } from '../../media/snapshot';
import { formatTime } from '../access-requests/request-state';
import { navigate } from '../../shell/router';
import { wallClockAt } from '../../media/plan-time.js';
import { align, nextRecording, reference, WallClock } from './sync-clock';
import { AddBookmark, useBookmarks } from './bookmarks';
import { ExportRange } from './export-range';
import { BackfillRange } from './backfill-range';
import { DevicePlaybackOffer, DevicePlaybackPanel } from './device-playback';
import { deviceRangeAt } from './device-range';
import { TimelineBar } from './timeline-bar';
import { viewAround, ZOOMS, type View, type ZoomKey } from './timeline-scale';

export const MAX_CAMERAS = 4;
export const SPEEDS = [1, 2, 4, 8] as const;
const FRAME_MS = 40;

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

/** The camera and instant a link asks for (?camera=ID&at=MS), if any. */
function linkedInstant(): { cameraId: number; at: number } | null {
  const q = new URLSearchParams(window.location.search);
  const cameraId = Number(q.get('camera'));
  const at = Number(q.get('at'));
  return Number.isInteger(cameraId) && cameraId > 0 && Number.isFinite(at) && at > 0 ? { cameraId, at } : null;
}

export default function PlaybackPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const { catalogue, loading } = useCameraCatalogue();
  const me = useMe();
  // Duty operators watch by role (值守监看); investigators only under an approved request (issue 17).
  const byRequest = !holds(me, 'playback:view');
  const approved = useAsync(
    () => (byRequest ? accessApi.requests.list().then((r) => r.items.filter((x) => x.state === 'approved' || x.state === 'in_use')) : Promise.resolve([])),
    [byRequest],
  );
  const [requestId, setRequestId] = useState<number>();
  const request = approved.data?.find((r) => r.id === requestId);
  const under = request ? { requestId: request.id, from: request.from, to: request.to } : undefined;
  // A link from elsewhere (an event in the event list) opens one camera at one instant: ?camera=&at=.
  const [link] = useState(linkedInstant);
  const [cameraIds, setCameraIds] = useState<number[]>(() => (link ? [link.cameraId] : []));
  const [view, setView] = useState<View>(() => viewAround(link ? link.at : Date.now() - 1800_000, 3600_000));
  const [cursor, setCursor] = useState<number | null>(null);
  const [selection, setSelection] = useState<View | null>(null);
  // While a seek positions the players, the clock keeps the instant asked for: a player still
  // at its fragment's first frame must not show an earlier time.
  const seeking = useRef(false);
  const seekGeneration = useRef(0);
  const clock = useRef(new WallClock());
  // Play after a seek until the operator pauses; paused, a seek shows the instant and stays paused.
  const wantPlay = useRef(true);
  const [speed, setSpeed] = useState<number>(1);
  const [playing, setPlaying] = useState(false);
  const [plans, setPlans] = useState<Record<number, PlaybackPlan | undefined>>({});
  const [held, setHeld] = useState<Record<number, boolean>>({});
  const [busy, setBusy] = useState(false);
  /** Seeks completed, for anyone (a test, an automation) waiting for the players to be positioned. */
  const [seeks, setSeeks] = useState(0);
  const [seekError, setSeekError] = useState('');
  // The instant last asked for (the clock may go on to the next recording), and the device playback open on a tile.
  const [asked, setAsked] = useState<number | null>(null);
  const [device, setDevice] = useState<{ cameraId: number; from: number; to: number } | null>(null);
  const [deviceSeek, setDeviceSeek] = useState<{ at: number; n: number }>();
  const videos = useRef(new Map<number, HTMLVideoElement>());
  const streams = useRef(new Map<number, PlaybackStream>());
  const reopening = useRef(new Set<number>());
  const { ref: timelineBox, width } = useWidth<HTMLDivElement>();
  const ids = useRef(cameraIds);
  ids.current = cameraIds;

  const bookmarks = useBookmarks(cameraIds, view.from, view.to);
  const timeline = useAsync(
    (signal) => (cameraIds.length ? mediaApi.timeline.shared(cameraIds, view.from, view.to, Math.round((view.to - view.from) / 2000), signal) : Promise.resolve(undefined)),
    [cameraIds.join(','), view.from, view.to],
  );

  // The recordings GB/T 28181 devices keep themselves (RecordInfo), for the cameras that have one;
  // any other camera's answer (not a GB channel, device away) just draws nothing.
  const deviceRecords = useAsync(
    async (signal) => {
      const out = new Map<number, { startMs: number; endMs: number }[]>();
      await Promise.all(cameraIds.map((id) => mediaApi.gb.deviceRecords(id, view.from, view.to, signal).then((r) => void out.set(id, r.ranges), () => undefined)));
      return out;
    },
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
      s = new PlaybackStream(video, id, under);
      streams.current.set(id, s);
    }
    return s;
  };

  /** Pulls every player to the clock: moved when it drifted, held in a gap, played or paused with the clock. */
  const alignAll = useCallback((wall: number) => {
    const c = clock.current;
    const inGap: Record<number, boolean> = {};
    for (const id of ids.current) {
      const s = streams.current.get(id);
      const v = videos.current.get(id);
      if (!s || !v || reopening.current.has(id)) continue;
      const a = align(s.plan, v.currentTime, wall, c.rate, c.running, v.paused);
      inGap[id] = a.inGap && !!s.plan;
      if (a.inGap) {
        if (!v.paused) v.pause();
        if (a.seekTo !== null) v.currentTime = a.seekTo;
        continue;
      }
      if (a.seekTo !== null) v.currentTime = a.seekTo;
      if (Math.abs(v.playbackRate - a.playbackRate) > 0.001) v.playbackRate = a.playbackRate;
      if (c.running && v.paused) void v.play().catch(() => undefined);
      if (!c.running && !v.paused) v.pause();
    }
    setHeld((h) => (Object.keys(inGap).length === Object.keys(h).length && Object.entries(inGap).every(([k, g]) => h[Number(k)] === g) ? h : inGap));
  }, []);

  const seek = useCallback(
    async (instant: number) => {
      // A newer seek (a second click on the timeline) takes over; this one then changes nothing.
      if (under) instant = Math.min(Math.max(instant, under.from), under.to - 1);
      const generation = ++seekGeneration.current;
      const latest = () => generation === seekGeneration.current;
      setAsked(instant);
      // A device playback open follows a seek inside its range, and closes for one outside it.
      setDevice((d) => (d && instant >= d.from && instant < d.to ? d : null));
      setDeviceSeek((s) => ({ at: instant, n: (s?.n ?? 0) + 1 }));
      setBusy(true);
      seeking.current = true;
      clock.current.stop();
      clock.current.set(instant);
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
        if (!latest()) return;
        setPlans(opened);
        // Nothing recorded anywhere at the instant: go to the first recording after it.
        const list = Object.values(opened);
        const at = list.some((p) => p && playerTimeAt(p, instant) !== null) ? instant : (nextRecording(list, instant) ?? instant);
        clock.current.set(at);
        setCursor(at);
        for (const id of cameraIds) {
          const v = videos.current.get(id);
          if (v) v.playbackRate = speed;
        }
        if (wantPlay.current) clock.current.start();
        alignAll(at);
        setPlaying(wantPlay.current);
        setSeeks((n) => n + 1);
      } catch (e) {
        if (latest()) {
          setSeekError(e instanceof Error ? e.message : String(e));
          report(e);
        }
      } finally {
        if (latest()) {
          seeking.current = false;
          setBusy(false);
        }
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cameraIds.join(','), speed, report, alignAll],
  );

  // The linked instant is sought once, as soon as its camera's player exists.
  const linked = useRef(false);
  useEffect(() => {
    if (!link || linked.current || !cameraIds.includes(link.cameraId) || !videos.current.has(link.cameraId)) return;
    linked.current = true;
    void seek(link.at);
  }, [link, cameraIds, seek]);

  // The clock follows the first player that plays in step with it; every player is pulled to
  // the clock; when all are in a gap the clock skips to the next recording.
  useEffect(() => {
    const timer = setInterval(() => {
      if (seeking.current) return;
      const c = clock.current;
      let wall = c.read();
      if (wall === null) return;
      const players = ids.current.map((id) => {
        const v = videos.current.get(id);
        return { id, plan: streams.current.get(id)?.plan, currentTime: v?.currentTime ?? 0, playing: !!v && !v.paused && !v.seeking && v.readyState >= 3 };
      });
      if (c.running) {
        const shown = reference(players, wall);
        if (shown !== null) c.set((wall = shown));
        else if (players.every((p) => !p.plan || playerTimeAt(p.plan, wall!) === null)) {
          const next = nextRecording(players.map((p) => p.plan), wall);
          if (next !== null) c.set((wall = next));
          else {
            // The end of every plan: plans stop after two hours; fetch ahead where recording goes on.
            const more = players.filter((p) => p.plan?.nextFromMs != null);
            if (more.length) void seek(wall);
            else {
              c.stop();
              setPlaying(false);
            }
            return;
          }
        }
        // A plan about to run out is replaced by one from here (it covers the next two hours).
        for (const p of players) {
          const s = streams.current.get(p.id);
          if (!s?.plan || s.plan.nextFromMs === null || wall < s.plan.endMs - 2000 || reopening.current.has(p.id)) continue;
          reopening.current.add(p.id);
          void s
            .seek(wall)
            .then((plan) => setPlans((x) => ({ ...x, [p.id]: plan })))
            .catch(report)
            .finally(() => reopening.current.delete(p.id));
        }
      }
      setCursor(Math.round(wall));
      alignAll(wall);
    }, 100);
    return () => clearInterval(timer);
  }, [alignAll, seek, report]);

  const setRate = (r: number) => {
    setSpeed(r);
    clock.current.setRate(r);
    for (const id of cameraIds) {
      const v = videos.current.get(id);
      if (v) v.playbackRate = r;
    }
  };
  /** Where the first player in a recording stands: the paused clock reads the frame shown. */
  const shownNow = () => reference(cameraIds.map((id) => { const v = videos.current.get(id); return { plan: streams.current.get(id)?.plan, currentTime: v?.currentTime ?? 0, playing: true }; }), clock.current.read() ?? 0);
  const togglePlay = () => {
    const c = clock.current;
    if (playing) {
      for (const id of cameraIds) videos.current.get(id)?.pause();
      c.stop();
      const shown = shownNow();
      if (shown !== null) c.set(shown);
    } else c.start();
    wantPlay.current = !playing;
    setPlaying(!playing);
    const wall = c.read();
    if (wall !== null) {
      setCursor(Math.round(wall));
      alignAll(wall);
    }
  };
  const step = (dir: 1 | -1) => {
    const c = clock.current;
    c.stop();
    wantPlay.current = false;
    setPlaying(false);
    // One frame of the picture shown: moved in the first player's own time, where a frame is
    // always FRAME_MS, and the wall clock read from there. Stepped on the wall clock, a step
    // across two fragments whose stamps leave a sliver of a few ms between them moved the
    // picture by less than a frame.
    const lead = cameraIds.map((id) => ({ plan: streams.current.get(id)?.plan, v: videos.current.get(id) })).find((p) => p.plan && p.v);
    let wall: number | null = null;
    if (lead?.plan && lead.v) {
      const t = Math.max(0, lead.v.currentTime + (dir * FRAME_MS) / 1000);
      wall = wallClockAt(lead.plan, t);
      if (wall !== null) lead.v.currentTime = t;
    }
    wall ??= (shownNow() ?? c.read() ?? 0) + dir * FRAME_MS;
    c.set(wall);
    setCursor(Math.round(wall));
    alignAll(wall);
  };

  const cols = cameraIds.length <= 1 ? 1 : 2;
  const zoom = ZOOMS.find((z) => z.ms === view.to - view.from)?.key;
  const labelOf = (id: number) => catalogue.byId.get(id)?.name ?? request?.cameras.find((c) => c.id === id)?.name ?? `#${id}`;

  return (
    <Row gutter={12} wrap={false}>
      <Col flex="280px">
        <Card size="small" title={t('playback.cameras', { max: MAX_CAMERAS })} loading={loading || approved.loading}>
          {byRequest ? (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Typography.Text type="secondary">{t('playback.underRequest')}</Typography.Text>
              <Select
                data-testid="playback-request"
                style={{ width: '100%' }}
                placeholder={t('playback.pickRequest')}
                value={requestId}
                notFoundContent={t('playback.noRequest')}
                options={(approved.data ?? []).map((r) => ({ value: r.id, label: `#${r.id} ${t(`request.kinds.${r.kind}`)} · ${r.purpose}` }))}
                onChange={(id: number) => {
                  const r = approved.data?.find((x) => x.id === id);
                  for (const s of streams.current.values()) s.stop();
                  streams.current.clear();
                  setRequestId(id);
                  setCameraIds(r ? r.cameraIds.slice(0, MAX_CAMERAS) : []);
                  if (r) setView(viewAround(r.from, Math.max(3600_000, r.to - r.from)));
                }}
              />
              {request && (
                <>
                  <Typography.Text data-testid="playback-request-range">{t('playback.requestRange', { from: formatTime(request.from), to: formatTime(request.to) })}</Typography.Text>
                  <Checkbox.Group
                    value={cameraIds}
                    onChange={(ids) => setCameraIds((ids as number[]).slice(0, MAX_CAMERAS))}
                    options={request.cameraIds.map((id) => ({ value: id, label: labelOf(id) }))}
                  />
                </>
              )}
            </Space>
          ) : (
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
          )}
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <Card size="small" title={t('nav.playback')} extra={<Typography.Text data-testid="playback-clock" data-ms={cursor ?? ''} data-seeks={seeks} data-seek-error={seekError} data-busy={busy ? seekGeneration.current : 0}>{cursor !== null ? formatTime(cursor) : '—'}</Typography.Text>}>
          {cameraIds.length === 0 && <Alert type="info" showIcon message={t(byRequest ? 'playback.pickRequest' : 'playback.pick')} style={{ marginBottom: 12 }} />}
          <div style={{ display: 'grid', gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gap: 4 }}>
            {cameraIds.map((id) => {
              const plan = plans[id];
              return (
                <div key={id} style={{ position: 'relative', background: '#111', aspectRatio: '16 / 9' }} data-testid={`playback-tile-${id}`}>
                  <video
                    ref={(el) => { if (el) videos.current.set(id, el); else videos.current.delete(id); }}
                    muted
                    playsInline
                    style={{ width: '100%', height: '100%', objectFit: 'contain' }}
                  />
                  {device?.cameraId === id && <DevicePlaybackPanel key={`${device.from}-${device.to}`} cameraId={id} from={device.from} to={device.to} seekTo={deviceSeek} onClose={() => setDevice(null)} />}
                  {held[id] && (
                    <div data-testid={`playback-gap-${id}`} style={{ position: 'absolute', inset: 0, background: 'rgba(0,0,0,0.85)', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                      <Typography.Text style={{ color: '#ffccc7' }}>{t('playback.gapHere')}</Typography.Text>
                    </div>
                  )}
                  <div style={{ position: 'absolute', top: 0, left: 0, right: 0, padding: '2px 6px', background: 'rgba(0,0,0,0.45)', display: 'flex', gap: 6, alignItems: 'center', zIndex: 3 }}>
                    <Typography.Text style={{ color: '#fff', flex: 1 }} ellipsis>{labelOf(id)}</Typography.Text>
                    {plan?.requestedInGap && <Tag color="orange">{t('playback.inGap')}</Tag>}
                    {plan && plan.segments.length === 0 && <Tag color="red">{t('playback.nothing')}</Tag>}
                    {device?.cameraId !== id && asked !== null && (!plan || playerTimeAt(plan, asked) === null) && deviceRangeAt(deviceRecords.data?.get(id), asked) && (
                      <DevicePlaybackOffer cameraId={id} onOpen={() => setDevice({ cameraId: id, ...deviceRangeAt(deviceRecords.data?.get(id), asked)! })} />
                    )}
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
              // The picker shows seconds but keeps the milliseconds of the value it had: a time chosen
              // or typed there means that whole second.
              onChange={(d) => d && void seek(d.millisecond(0).valueOf())}
              // The picker reports no change when the text typed is the instant it already shows (to the
              // second): Enter there still means "go to this time", e.g. back to it after playing on.
              // The picker itself would then submit its current value, milliseconds and all: kept from it.
              onKeyDown={(e, preventDefault) => {
                if (e.key !== 'Enter' || cursor === null) return;
                const text = (e.target as HTMLInputElement).value;
                if (text !== dayjs(cursor).format('YYYY-MM-DD HH:mm:ss')) return;
                const at = new Date(text.replace(' ', 'T')).getTime();
                if (!Number.isFinite(at)) return;
                preventDefault();
                void seek(at);
              }}
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
              rows={cameraIds.map((id) => ({ label: labelOf(id), timeline: timeline.data?.cameras.find((c) => c.cameraId === id), since: catalogue.byId.get(id)?.createdAt, bookmarks: bookmarks.list.filter((b) => b.cameraId === id), device: deviceRecords.data?.get(id) }))}
              onSeek={(ms) => void seek(ms)}
              onView={setView}
              selection={selection}
              onSelect={setSelection}
            />
          </div>
          <div style={{ marginBlock: 8 }}>
            <AddBookmark cursor={cursor} cameraIds={cameraIds} onAdd={bookmarks.add} />{' '}
            <BackfillRange
              cameraIds={cameraIds.filter((id) => deviceRecords.data?.get(id)?.length)}
              labelOf={labelOf}
              range={selection && selection.to > selection.from ? selection : view}
              onStarted={() => {
                // The download runs on the server; read the timeline again as it lands.
                for (const ms of [5_000, 15_000, 40_000]) setTimeout(() => timeline.reload(), ms);
              }}
            />{' '}
            <ExportRange cursor={cursor} cameraIds={cameraIds} requestId={requestId} selection={selection} onSelect={setSelection} onStarted={() => navigate('/exports')} />
          </div>
          <Typography.Text type="secondary">{formatTime(view.from)} – {formatTime(view.to)} · {t('playback.help')} · {t('playback.selectHelp')}</Typography.Text>
        </Card>
      </Col>
    </Row>
  );
}
