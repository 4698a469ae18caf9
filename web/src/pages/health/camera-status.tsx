// One camera today: its state now, the day minute by minute (streaming / online / offline, from
// the recorder's events and index), its online rate so far and whether it counts as good.
import { Alert, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAsync } from '../../common/use-async';
import { healthApi } from './health-api';
import { percent } from './health-model';
import { runsOf, type MinuteState } from './minute-strip';

const COLOUR: Record<MinuteState, string> = { streaming: '#52c41a', online: '#faad14', offline: '#ff4d4f' };
const DAY_MINUTES = 1440;

export function CameraStatus({ cameraId, refresh }: { cameraId: number; refresh: number }) {
  const { t } = useTranslation();
  const status = useAsync(() => healthApi.status(cameraId), [cameraId, refresh]);
  const s = status.data;
  if (status.error) return <Alert type="error" showIcon message={(status.error as Error).message} />;
  if (!s) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }} data-testid="camera-status">
      <Space wrap>
        <Tag color={COLOUR[s.state]} data-testid="camera-state">{t(`health.status.states.${s.state}`)}</Tag>
        <Typography.Text>{t('health.rates.onlineRate')}: {percent(s.onlineRate)}</Typography.Text>
        <Tag color={s.good ? 'green' : 'red'}>{s.good ? t('health.status.good') : t('health.status.notGood')}</Tag>
        <Typography.Text type="secondary">{s.day}</Typography.Text>
      </Space>
      <svg viewBox={`0 0 ${DAY_MINUTES} 12`} preserveAspectRatio="none" width="100%" height={14} role="img" aria-label={t('health.status.strip')} data-testid="minute-strip">
        <rect x={0} y={0} width={DAY_MINUTES} height={12} fill="#f0f0f0" />
        {runsOf(s.minutes).map((r) => (
          <rect key={r.from} x={r.from} y={0} width={r.length} height={12} fill={COLOUR[r.state]}>
            <title>{`${t(`health.status.states.${r.state}`)} ${String(Math.floor(r.from / 60)).padStart(2, '0')}:${String(r.from % 60).padStart(2, '0')} +${r.length} min`}</title>
          </rect>
        ))}
      </svg>
    </Space>
  );
}
