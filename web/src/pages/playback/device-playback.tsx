// A GB/T 28181 camera's own recording played from its device, over the tile where we have no
// recording at the chosen instant: the device is asked for the range (INVITE s=Playback, on the
// server), its picture comes over WebRTC, or LL-HLS where WebRTC cannot connect (the tag says which,
// and whether an H.265 device is transcoded for this browser), and pause, speed and seeking (the slider, or a click on
// the timeline inside the range) are sent to the device. A device that does not answer or
// refuses is said in words; closing the panel or leaving the page ends the device's session.
import { Alert, Button, Segmented, Slider, Space, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { DevicePlayback } from '../../media/device-playback';
import { formatTime } from '../access-requests/request-state';

export const DEVICE_SPEEDS = [1, 2, 4] as const;
const TICK_MS = 250;
/** How often a playing session's state is asked (to learn the server ended it). */
const STATE_MS = 2000;

interface Props {
  cameraId: number;
  from: number;
  to: number;
  /** A seek asked from outside (the timeline): `n` counts them so the same instant twice is two seeks. */
  seekTo?: { at: number; n: number };
  onClose(): void;
}

type Phase = 'connecting' | 'playing' | 'failed' | 'ended';

export function DevicePlaybackPanel({ cameraId, from, to, seekTo, onClose }: Props) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const player = useRef<DevicePlayback | undefined>(undefined);
  const [phase, setPhase] = useState<Phase>('connecting');
  const [error, setError] = useState('');
  const [paused, setPaused] = useState(false);
  const [speed, setSpeed] = useState<number>(1);
  const [pos, setPos] = useState(from);
  const [endedWhy, setEndedWhy] = useState('');
  const [via, setVia] = useState<DevicePlayback['playing']>(undefined);

  useEffect(() => {
    const p = new DevicePlayback(video.current!, cameraId, from, to);
    player.current = p;
    p.start().then(
      () => {
        setVia(p.playing);
        setPhase('playing');
      },
      (e: unknown) => {
        p.close();
        const code = e instanceof ApiError ? e.code : '';
        setError(code === 'GB_DEVICE_NO_ANSWER' ? t('devicePlayback.noAnswer') : code === 'GB_DEVICE_REFUSED' ? t('devicePlayback.refused') : t('devicePlayback.failed', { message: e instanceof Error ? e.message : String(e) }));
        setPhase('failed');
      },
    );
    return () => p.close();
  }, [cameraId, from, to, t]);

  // Where the device's recording stands: moved on by the clock at the speed asked, while playing.
  useEffect(() => {
    if (phase !== 'playing' || paused) return;
    const timer = setInterval(() => setPos((x) => Math.min(to, x + TICK_MS * speed)), TICK_MS);
    return () => clearInterval(timer);
  }, [phase, paused, speed, to]);

  // The server may end the session (the device went silent or hung up, the session was revoked): ask, and say why.
  useEffect(() => {
    if (phase !== 'playing') return;
    const timer = setInterval(() => {
      const p = player.current;
      void p?.state().then(
        (s) => {
          if (!s || s.state !== 'ended' || player.current !== p) return;
          p.ended();
          setEndedWhy(s.ended?.reason === 'device-silent' ? t('devicePlayback.deviceSilent') : s.ended?.reason === 'device-hung-up' ? t('devicePlayback.deviceHungUp') : t('devicePlayback.ended'));
          setPhase('ended');
        },
        () => undefined,
      );
    }, STATE_MS);
    return () => clearInterval(timer);
  }, [phase, t]);

  const send = async (c: Parameters<DevicePlayback['control']>[0]) => {
    try {
      await player.current?.control(c);
      return true;
    } catch (e) {
      setError(t('devicePlayback.failed', { message: e instanceof Error ? e.message : String(e) }));
      return false;
    }
  };
  const seek = async (at: number) => {
    if (await send({ kind: 'seek', atMs: Math.round(at) })) {
      setPos(at);
      setPaused(false);
    }
  };

  useEffect(() => {
    if (seekTo && phase === 'playing' && seekTo.at >= from && seekTo.at < to) void seek(seekTo.at);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seekTo?.n]);

  return (
    <div data-testid={`device-playback-${cameraId}`} data-phase={phase} data-ms={Math.round(pos)} data-transport={via?.transport} style={{ position: 'absolute', inset: 0, background: '#000', display: 'flex', flexDirection: 'column', zIndex: 2 }}>
      <video ref={video} muted playsInline style={{ flex: 1, minHeight: 0, width: '100%', objectFit: 'contain' }} />
      {via && phase === 'playing' && (
        <Space size={4} style={{ position: 'absolute', top: 28, left: 8 }}>
          <Tag color="purple" data-testid="device-playback-transport">{t(via.transport === 'hls' ? 'devicePlayback.transportHls' : 'devicePlayback.transportWebrtc')}</Tag>
          {via.transcoded && <Tag color="gold" data-testid="device-playback-transcoded">{t('devicePlayback.transcoded')}</Tag>}
        </Space>
      )}
      {phase === 'connecting' && <Typography.Text style={{ position: 'absolute', top: 28, left: 8, color: '#fff' }}>{t('devicePlayback.connecting')}</Typography.Text>}
      {error && <Alert type="error" showIcon message={error} data-testid="device-playback-error" style={{ position: 'absolute', top: 28, left: 8, right: 8 }} />}
      {phase === 'ended' && <Alert type="warning" showIcon message={endedWhy} data-testid="device-playback-ended" style={{ position: 'absolute', top: 28, left: 8, right: 8 }} />}
      <div style={{ padding: '2px 6px', background: 'rgba(0,0,0,0.6)' }}>
        <Space wrap size={4}>
          <Typography.Text style={{ color: '#d3adf7' }} data-testid="device-playback-position">{t('devicePlayback.position', { time: formatTime(pos) })}</Typography.Text>
          <Button size="small" disabled={phase !== 'playing'} data-testid="device-playback-pause" onClick={() => void send({ kind: paused ? 'resume' : 'pause' }).then((ok) => ok && setPaused(!paused))}>
            {paused ? t('devicePlayback.resume') : t('devicePlayback.pause')}
          </Button>
          <Segmented<number>
            size="small"
            value={speed}
            disabled={phase !== 'playing'}
            options={DEVICE_SPEEDS.map((s) => ({ value: s, label: `${s}×` }))}
            onChange={(s) => void send({ kind: 'scale', scale: s }).then((ok) => ok && setSpeed(s))}
            data-testid="device-playback-speed"
          />
          <Button size="small" data-testid="device-playback-close" onClick={onClose}>{t('devicePlayback.close')}</Button>
        </Space>
        <Slider
          min={from}
          max={to - 1}
          value={pos}
          disabled={phase !== 'playing'}
          tooltip={{ formatter: (v) => (v !== undefined ? formatTime(v) : '') }}
          onChange={(v) => setPos(v)}
          onChangeComplete={(v) => void seek(v)}
          data-testid="device-playback-slider"
          style={{ margin: '4px 6px' }}
        />
      </div>
    </div>
  );
}


/** The tile's offer to play the device's recording where ours has nothing at the instant asked. */
export function DevicePlaybackOffer({ cameraId, onOpen }: { cameraId: number; onOpen(): void }) {
  const { t } = useTranslation();
  return (
    <Button size="small" type="primary" title={t('devicePlayback.openHelp')} data-testid={`device-playback-open-${cameraId}`} onClick={onOpen} style={{ background: '#722ed1' }}>
      {t('devicePlayback.open')}
    </Button>
  );
}
