// Release review (公开发布, CN799-22): under an approved release request its requester starts the
// masking; the reviewer watches the masked clip (fetched once through a single-use stream token),
// sees every mask the detectors found, draws a missed region on the picture over a span of frames
// or removes a false track, changes the style and masks again; the custodian's head approves the
// release, and the released file and its manifest can then be taken. The original is never shown.
import { Alert, Button, Card, Checkbox, Descriptions, InputNumber, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi, type AccessRequest } from '../../api/access';
import { useErrorReporter } from '../../common/error-report';
import { formatTime } from '../access-requests/request-state';
import { MASK_STYLES, releasesApi, type ManualRegion, type MaskStyle, type Release, type ReleaseState } from './releases-api';

const COLOURS: Record<ReleaseState, string> = { masking: 'processing', review: 'gold', released: 'green', failed: 'red', cancelled: 'default' };
type Box = ManualRegion['box'];
interface MaskRow {
  key: string;
  kind: string;
  frames: string;
  where?: Box;
  track?: number;
  manual?: number;
}

export default function ReleasesPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  // ?request=N opens a request's releases (the address keeps it across reloads).
  const [requestId, setRequestId] = useState<number | null>(Number(new URLSearchParams(window.location.search).get('request')) || null);
  const [req, setReq] = useState<AccessRequest>();
  const [release, setRelease] = useState<Release>();
  const [busy, setBusy] = useState(false);

  const open = useCallback(async (id: number) => {
    try {
      setReq(await accessApi.requests.get(id));
      const list = await releasesApi.ofRequest(id);
      setRelease(list[0]);
      window.history.replaceState(null, '', `${window.location.pathname}?request=${id}`);
    } catch (e) {
      report(e);
    }
  }, [report]);

  useEffect(() => {
    if (requestId) void open(requestId);
    // Opened once from the address; later by the button.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Follow a masking while it runs.
  useEffect(() => {
    if (release?.state !== 'masking') return;
    const timer = setInterval(() => releasesApi.get(release.id).then(setRelease, (e: unknown) => report(e)), 1000);
    return () => clearInterval(timer);
  }, [release?.id, release?.state, report]);

  const run = async (fn: () => Promise<Release>) => {
    setBusy(true);
    try {
      setRelease(await fn());
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card size="small" title={t('releases.title')}>
        <Typography.Paragraph type="secondary">{t('releases.help')}</Typography.Paragraph>
        <Space>
          <InputNumber data-testid="release-request" min={1} placeholder={t('releases.request')} value={requestId} onChange={(v) => setRequestId(v)} />
          <Button data-testid="release-open" disabled={!requestId} onClick={() => requestId && void open(requestId)}>{t('releases.open')}</Button>
          {req && req.kind === 'release' && (
            <Button
              data-testid="release-start"
              type="primary"
              loading={busy}
              disabled={release?.state === 'masking'}
              onClick={() => void run(() => releasesApi.start({ requestId: req.id, cameraId: req.cameraIds[0]!, from: req.from, to: req.to }))}
            >
              {t('releases.start')}
            </Button>
          )}
        </Space>
        {req && req.kind !== 'release' && <Alert style={{ marginTop: 12 }} type="warning" message={t('releases.notRelease')} />}
      </Card>
      {req && release && <ReleaseCard release={release} request={req} busy={busy} run={run} />}
    </Space>
  );
}

function ReleaseCard({ release, request, busy, run }: { release: Release; request: AccessRequest; busy: boolean; run: (fn: () => Promise<Release>) => Promise<void> }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [manual, setManual] = useState<ManualRegion[]>(release.manual);
  const [removed, setRemoved] = useState<number[]>(release.removedTracks);
  const [style, setStyle] = useState<MaskStyle>(release.style);
  useEffect(() => {
    setManual(release.manual);
    setRemoved(release.removedTracks);
    setStyle(release.style);
  }, [release.id, release.runs, release.manual, release.removedTracks, release.style]);
  const watchable = release.state === 'review' || release.state === 'released';
  const changed = JSON.stringify(manual) !== JSON.stringify(release.manual) || JSON.stringify(removed) !== JSON.stringify(release.removedTracks) || style !== release.style;

  return (
    <Card size="small" title={<Space>{t('releases.release', { id: release.id })}<Tag data-testid="release-state" color={COLOURS[release.state]}>{t(`releases.state.${release.state}`)}</Tag></Space>}>
      <Descriptions size="small" column={2} items={[
        { key: 'purpose', label: t('releases.purpose'), children: release.purpose },
        { key: 'channel', label: t('releases.channel'), children: release.channel },
        { key: 'range', label: t('releases.range'), children: `${formatTime(release.from)} – ${formatTime(release.to)}` },
        { key: 'caption', label: t('releases.caption'), children: <span data-testid="release-caption">{release.caption ?? t('releases.noCaption')}</span> },
        { key: 'sha', label: t('releases.fileSha256'), children: <Typography.Text code>{release.fileSha256 ?? '—'}</Typography.Text> },
        { key: 'request', label: t('releases.request'), children: `#${request.id}` },
      ]} />
      {release.state === 'masking' && (
        <Space style={{ marginTop: 12 }}>
          <Progress style={{ width: 320 }} percent={release.framesTotal ? Math.round((100 * release.framesDone) / release.framesTotal) : 0} status="active" />
          <Button danger onClick={() => void run(() => releasesApi.cancel(release.id))}>{t('common.cancel')}</Button>
        </Space>
      )}
      {release.error && <Alert style={{ marginTop: 12 }} type="error" message={release.error} />}
      {watchable && (
        <Review
          key={`${release.id}-${release.runs}`}
          release={release}
          manual={manual}
          setManual={setManual}
          removed={removed}
          setRemoved={setRemoved}
          editable={release.state === 'review'}
        />
      )}
      <Space style={{ marginTop: 12 }} wrap>
        {release.state === 'review' && (
          <>
            <Select data-testid="release-style" style={{ width: 160 }} value={style} onChange={setStyle} options={MASK_STYLES.map((s) => ({ value: s, label: t(`releases.style.${s}`) }))} />
            <Button data-testid="release-remask" disabled={!changed} loading={busy} onClick={() => void run(() => releasesApi.review(release.id, { manual, removeTracks: removed, style }))}>{t('releases.remask')}</Button>
            <Button data-testid="release-approve" type="primary" disabled={changed} loading={busy} onClick={() => void run(() => releasesApi.approve(release.id))}>{t('releases.approve')}</Button>
          </>
        )}
        {release.state === 'released' && (
          <>
            <Typography.Link data-testid="release-file" href={releasesApi.fileUrl(release.id)}>{t('releases.file')}</Typography.Link>
            <Typography.Link data-testid="release-manifest" href={releasesApi.manifestUrl(release.id)}>{t('releases.manifest')}</Typography.Link>
          </>
        )}
      </Space>
    </Card>
  );
}

function Review(p: { release: Release; manual: ManualRegion[]; setManual: (m: ManualRegion[]) => void; removed: number[]; setRemoved: (r: number[]) => void; editable: boolean }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const video = useRef<HTMLVideoElement>(null);
  const [src, setSrc] = useState<string>();
  const [drawing, setDrawing] = useState(false);
  const [start, setStart] = useState<{ x: number; y: number } | null>(null);
  const [box, setBox] = useState<Box | null>(null);
  const [span, setSpan] = useState<[number, number]>([0, Math.max(0, p.release.framesTotal - 1)]);
  const last = Math.max(0, p.release.framesTotal - 1);

  // The masked clip, fetched once with its single-use token and played from memory.
  useEffect(() => {
    let url: string | undefined;
    let gone = false;
    releasesApi.clipToken(p.release.id)
      .then((tk) => fetch(tk.url))
      .then((r) => {
        if (!r.ok) throw new Error(`${r.status}`);
        return r.blob();
      })
      .then((b) => {
        if (gone) return;
        url = URL.createObjectURL(b);
        setSrc(url);
      })
      .catch((e: unknown) => report(e));
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [p.release.id, report]);

  const frameNow = () => {
    const v = video.current;
    if (!v || !v.duration) return 0;
    return Math.min(last, Math.round((v.currentTime * p.release.framesTotal) / v.duration));
  };
  // From the picture as shown to the clip's pixels.
  const at = (e: MouseEvent<HTMLDivElement>) => {
    const v = video.current!;
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * v.videoWidth) / r.width, y: ((e.clientY - r.top) * v.videoHeight) / r.height };
  };
  const shown = (b: Box) => {
    const v = video.current;
    if (!v?.videoWidth) return {};
    return { left: `${(100 * b.x) / v.videoWidth}%`, top: `${(100 * b.y) / v.videoHeight}%`, width: `${(100 * b.w) / v.videoWidth}%`, height: `${(100 * b.h) / v.videoHeight}%` };
  };

  return (
    <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
      <div style={{ position: 'relative', display: 'inline-block', maxWidth: 960, width: '100%' }}>
        <video data-testid="release-video" ref={video} src={src} controls={!drawing} muted style={{ width: '100%', display: 'block', background: '#000' }} />
        {drawing && (
          <div
            data-testid="release-draw-area"
            style={{ position: 'absolute', inset: 0, cursor: 'crosshair' }}
            onMouseDown={(e) => {
              setStart(at(e));
              setBox(null);
            }}
            onMouseMove={(e) => {
              if (!start) return;
              const q = at(e);
              setBox({ x: Math.round(Math.min(start.x, q.x)), y: Math.round(Math.min(start.y, q.y)), w: Math.round(Math.abs(q.x - start.x)), h: Math.round(Math.abs(q.y - start.y)) });
            }}
            onMouseUp={() => setStart(null)}
          >
            {box && <div style={{ position: 'absolute', border: '2px solid #ff4d4f', ...shown(box) }} />}
          </div>
        )}
      </div>
      {p.editable && (
        <Space wrap>
          <Button data-testid="release-draw" type={drawing ? 'primary' : 'default'} onClick={() => {
            video.current?.pause();
            setDrawing(!drawing);
            const n = frameNow();
            setSpan([n, last]);
          }}>{drawing ? t('releases.drawDone') : t('releases.draw')}</Button>
          <span>{t('releases.fromFrame')}</span>
          <InputNumber data-testid="release-from" min={0} max={last} value={span[0]} onChange={(v) => setSpan([v ?? 0, span[1]])} />
          <span>{t('releases.toFrame')}</span>
          <InputNumber data-testid="release-to" min={0} max={last} value={span[1]} onChange={(v) => setSpan([span[0], v ?? last])} />
          <Button data-testid="release-add-region" disabled={!box || box.w < 2 || box.h < 2 || span[1] < span[0]} onClick={() => {
            p.setManual([...p.manual, { from: span[0], to: span[1], box: box! }]);
            setBox(null);
            setDrawing(false);
          }}>{t('releases.addRegion')}</Button>
        </Space>
      )}
      <Table<MaskRow>
        size="small"
        rowKey={(r) => r.key}
        pagination={false}
        data-testid="release-masks"
        dataSource={[
          ...p.release.tracks.map((tr): MaskRow => ({ key: `t${tr.id}`, kind: t(`releases.kind.${tr.kind}`), frames: `${tr.firstFrame}–${tr.lastFrame}`, where: tr.sightings[0], track: tr.id })),
          ...p.manual.map((m, i): MaskRow => ({ key: `m${i}`, kind: t('releases.kind.manual'), frames: `${m.from}–${m.to}`, where: m.box, manual: i })),
        ]}
        columns={[
          { title: t('releases.maskKind'), dataIndex: 'kind' },
          { title: t('releases.frames'), dataIndex: 'frames' },
          { title: t('releases.where'), render: (_, r) => (r.where ? `${Math.round(r.where.x)},${Math.round(r.where.y)} ${Math.round(r.where.w)}×${Math.round(r.where.h)}` : '') },
          {
            title: t('releases.keep'),
            render: (_, r) => r.track !== undefined
              ? <Checkbox disabled={!p.editable} checked={!p.removed.includes(r.track)} onChange={(e) => p.setRemoved(e.target.checked ? p.removed.filter((x) => x !== r.track) : [...p.removed, r.track!])} />
              : <Button size="small" disabled={!p.editable} onClick={() => p.setManual(p.manual.filter((_, k) => k !== r.manual))}>{t('releases.removeRegion')}</Button>,
          },
        ]}
      />
    </Space>
  );
}
