// The approver's preview: before deciding, the one who decides watches the requested range of each
// camera named in the request, through the same stream tokens and register as any viewing (the
// server allows it only while the request waits for this person's decision).
import { Alert, Button, Segmented, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccessRequest } from '../../api/access';
import { messageOf } from '../../common/error-report';
import { PlaybackStream } from '../../media/playback-stream';
import { formatTime } from './request-state';

export function RequestPreview({ r }: { r: AccessRequest }) {
  const { t } = useTranslation();
  const [cameraId, setCameraId] = useState<number>(r.cameras[0]?.id ?? r.cameraIds[0]!);
  const [state, setState] = useState<'idle' | 'opening' | 'playing' | 'nothing'>('idle');
  const [error, setError] = useState<unknown>();
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<PlaybackStream | undefined>(undefined);

  useEffect(() => () => stream.current?.stop(), []);

  const open = async (id: number) => {
    stream.current?.stop();
    setError(undefined);
    if (!video.current) return;
    const s = new PlaybackStream(video.current, id, { requestId: r.id, from: r.from, to: r.to });
    stream.current = s;
    setState('opening');
    try {
      const plan = await s.seek(r.from);
      if (stream.current !== s) return;
      if (!plan.segments.length) return setState('nothing');
      await video.current.play().catch(() => undefined);
      setState('playing');
    } catch (e) {
      if (stream.current === s) {
        setError(e);
        setState('idle');
      }
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="request-preview">
      <Typography.Text type="secondary">{t('request.previewHelp', { from: formatTime(r.from), to: formatTime(r.to) })}</Typography.Text>
      <Space wrap>
        {r.cameras.length > 1 && (
          <Segmented<number>
            value={cameraId}
            options={r.cameras.map((c) => ({ value: c.id, label: c.name ?? `#${c.id}` }))}
            onChange={(id) => {
              setCameraId(id);
              if (state !== 'idle') void open(id);
            }}
          />
        )}
        <Button onClick={() => void open(cameraId)} loading={state === 'opening'} data-testid="request-preview-play">{t('request.preview')}</Button>
      </Space>
      {error ? <Alert type="error" showIcon message={messageOf(t, error)} /> : null}
      {state === 'nothing' && <Alert type="info" showIcon message={t('playback.nothing')} />}
      <video ref={video} muted playsInline controls data-testid="request-preview-video" data-state={state} style={{ width: '100%', aspectRatio: '16 / 9', background: '#111', display: state === 'idle' && !error ? 'none' : 'block' }} />
    </Space>
  );
}
