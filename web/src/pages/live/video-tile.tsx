// One tile of the wall: a camera dropped on it plays live; the tile says how (WebRTC or HLS, and
// whether an H.265 camera is being transcoded), takes snapshots and goes full screen.
import { Button, Space, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { CAMERA_DRAG_TYPE } from '../../common/camera-tree';
import { useErrorReporter } from '../../common/error-report';
import { LiveStream, type LiveState, type Transport } from '../../media/live-stream';
import { downloadSnapshot, toggleFullscreen } from '../../media/snapshot';
import { PtzPad } from './ptz-pad';

interface Props {
  index: number;
  camera: Camera | undefined;
  prefer: Transport | 'auto';
  onDropCamera(cameraId: number): void;
  onClear(): void;
  onLive(cameraId: number, live: boolean): void;
  /** This tile fills the wall (the others closed). */
  enlarged?: boolean;
  /** Enlarges the tile over the wall, or brings the wall back; absent on a 1-tile wall. */
  onEnlarge?(): void;
}

export function VideoTile({ index, camera, prefer, onDropCamera, onClear, onLive, enlarged = false, onEnlarge }: Props) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const videoRef = useRef<HTMLVideoElement>(null);
  const tileRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<LiveState>();
  const [over, setOver] = useState(false);

  useEffect(() => {
    const video = videoRef.current;
    if (!camera || !video) {
      setState(undefined);
      return;
    }
    const stream = new LiveStream(video, camera.id, {
      prefer,
      onState: (s) => {
        setState(s);
        onLive(camera.id, s.phase === 'playing');
      },
    });
    void stream.start();
    return () => {
      stream.close();
      onLive(camera.id, false);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [camera?.id, prefer]);

  const status = !state ? null : state.phase === 'failed' ? (
    <Tooltip title={state.message}><Tag color="red">{t('wall.failed')}</Tag></Tooltip>
  ) : (
    <Space size={2}>
      <Tag color={state.phase === 'playing' ? 'green' : 'blue'} data-testid="tile-transport">
        {state.phase === 'playing' ? t('wall.playing') : t('wall.connecting')} · {state.transport === 'webrtc' ? 'WebRTC' : 'HLS'}
      </Tag>
      {state.phase === 'playing' && state.transcoded && <Tag color="gold">{t('wall.transcoded')}</Tag>}
    </Space>
  );

  return (
    <div
      ref={tileRef}
      data-testid={`tile-${index}`}
      data-phase={state?.phase ?? 'empty'}
      data-enlarged={enlarged}
      onDoubleClick={(e) => {
        if (camera && onEnlarge && (e.target as HTMLElement).tagName === 'VIDEO') onEnlarge();
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(CAMERA_DRAG_TYPE)) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        const id = Number(e.dataTransfer.getData(CAMERA_DRAG_TYPE));
        if (id) {
          e.preventDefault();
          onDropCamera(id);
        }
      }}
      style={{ position: 'relative', background: '#111', border: `2px solid ${over ? '#1677ff' : '#333'}`, minHeight: 0, aspectRatio: '16 / 9', overflow: 'hidden' }}
    >
      <video ref={videoRef} muted playsInline autoPlay style={{ width: '100%', height: '100%', objectFit: 'contain', display: camera ? 'block' : 'none' }} />
      {!camera && (
        <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
          <Typography.Text style={{ color: '#888' }}>{t('wall.dropHere')}</Typography.Text>
        </div>
      )}
      {camera && (
        <div style={{ position: 'absolute', left: 0, right: 0, top: 0, padding: '2px 6px', display: 'flex', alignItems: 'center', gap: 6, background: 'rgba(0,0,0,0.45)' }}>
          <Typography.Text style={{ color: '#fff', flex: 1 }} ellipsis data-testid="tile-camera">{camera.name}</Typography.Text>
          {status}
        </div>
      )}
      {camera && (
        // The buttons sit at the foot of the tile, so in 9 and 16 layouts they never cover the camera's name.
        <div style={{ position: 'absolute', right: 0, bottom: 0, padding: 2, display: 'flex', gap: 2, background: 'rgba(0,0,0,0.35)' }}>
          <Button
            size="small"
            type="text"
            style={{ color: '#fff' }}
            disabled={state?.phase !== 'playing'}
            onClick={() => void downloadSnapshot(videoRef.current!, camera.name).catch(report)}
            data-testid="tile-snapshot"
          >
            {t('wall.snapshot')}
          </Button>
          {onEnlarge && (
            <Button size="small" type="text" style={{ color: '#fff' }} onClick={onEnlarge} data-testid="tile-enlarge">
              {enlarged ? t('wall.restore') : t('wall.enlarge')}
            </Button>
          )}
          <Button size="small" type="text" style={{ color: '#fff' }} onClick={() => tileRef.current && toggleFullscreen(tileRef.current)} data-testid="tile-fullscreen">
            {t('wall.fullscreen')}
          </Button>
          <Button size="small" type="text" style={{ color: '#fff' }} onClick={onClear} aria-label={t('common.close')} data-testid="tile-clear">×</Button>
        </div>
      )}
      {camera && <PtzPad cameraId={camera.id} />}
    </div>
  );
}
