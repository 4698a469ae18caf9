// One camera's video quality diagnostics, newest first, each with its findings (value against
// threshold) and the snapshot it was made from.
import { Alert, Card, Empty, Image, List, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { useAsync } from '../../common/use-async';
import { formatTime } from '../access-requests/request-state';
import { CameraActions } from './camera-actions';
import { CameraStatus } from './camera-status';
import { healthApi } from './health-api';
import type { Diagnostic, Finding } from './health-model';

function FindingTag({ f }: { f: Finding }) {
  const { t } = useTranslation();
  const measured = f.value !== null ? ` ${f.value.toFixed(2)}${f.threshold !== null ? ` / ${f.threshold}` : ''}` : '';
  return <Tag color="orange" title={f.detail}>{t(`health.findings.${f.kind}`, { defaultValue: f.kind })}{measured}</Tag>;
}

export function DiagnosticsTab({ cameras, cameraId, onCamera }: { cameras: Camera[]; cameraId: number | undefined; onCamera(id: number | undefined): void }) {
  const { t } = useTranslation();
  const list = useAsync(() => (cameraId === undefined ? Promise.resolve([]) : healthApi.diagnostics(cameraId).then((r) => r.items)), [cameraId]);

  return (
    <Card
      size="small"
      title={t('health.diagnostics.title')}
      extra={
        <Select
          data-testid="diagnostics-camera"
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 320 }}
          placeholder={t('health.diagnostics.pickCamera')}
          value={cameraId}
          onChange={onCamera}
          options={cameras.map((c) => ({ value: c.id, label: `${c.name} (${c.gbId})` }))}
        />
      }
    >
      {list.error ? <Alert type="error" showIcon message={(list.error as Error).message} /> : null}
      {cameraId === undefined ? (
        <Empty description={t('health.diagnostics.pickCamera')} />
      ) : (
        <>
        <CameraStatus cameraId={cameraId} refresh={list.data?.length ?? 0} />
        <CameraActions cameraId={cameraId} onChanged={list.reload} />
        <List<Diagnostic>
          data-testid="diagnostics-list"
          loading={list.loading}
          dataSource={list.data ?? []}
          locale={{ emptyText: t('health.diagnostics.empty') }}
          renderItem={(d) => (
            <List.Item
              key={d.id}
              extra={d.snapshot ? <Image width={240} src={healthApi.snapshotUrl(d.id)} alt={t('health.diagnostics.snapshot')} data-testid="diagnostic-snapshot" /> : null}
            >
              <Space direction="vertical" size={4}>
                <Space size={4}>
                  <Tag color={d.ok ? 'green' : 'red'}>{d.ok ? t('health.diagnostics.pass') : t('health.diagnostics.fail')}</Tag>
                  <span>{formatTime(d.at)}</span>
                  <Typography.Text type="secondary">{t('health.diagnostics.source')}: {d.source}</Typography.Text>
                </Space>
                {d.findings.length > 0 && <div>{d.findings.map((f) => <FindingTag key={f.kind} f={f} />)}</div>}
              </Space>
            </List.Item>
          )}
        />
        </>
      )}
    </Card>
  );
}
