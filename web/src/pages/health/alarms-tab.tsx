// Alarms: the stored list and, on top, whatever the event stream brings while the page is open;
// each can be acknowledged once.
import { Alert, Badge, Button, Card, Image, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter, messageOf } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { formatTime } from '../access-requests/request-state';
import { useHealthEvents } from './event-stream';
import { healthApi } from './health-api';
import { mergeAlarms, type Alarm, type HealthEvent } from './health-model';

const SEVERITY: Record<string, string> = { critical: 'red', major: 'volcano', warning: 'orange', info: 'blue' };

export function AlarmsTab({ cameraName, onEvent }: { cameraName: (id: number) => string; onEvent?: (e: HealthEvent) => void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const list = useAsync(() => healthApi.alarms.list().then((r) => r.items), []);
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [live, setLive] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState<number | null>(null);

  useEffect(() => {
    if (list.data) setAlarms((cur) => mergeAlarms(cur, list.data!));
  }, [list.data]);

  const stream = useHealthEvents((e) => {
    onEvent?.(e);
    if (e.type !== 'alarm') return;
    setAlarms((cur) => mergeAlarms(cur, [e.alarm]));
    setLive((s) => new Set(s).add(e.alarm.id));
  });

  const acknowledge = async (id: number) => {
    setBusy(id);
    try {
      const a = await healthApi.alarms.acknowledge(id);
      setAlarms((cur) => mergeAlarms(cur, [a]));
    } catch (e) {
      report(e);
    } finally {
      setBusy(null);
    }
  };

  const streamBadge = stream === 'open' ? 'success' : stream === 'connecting' ? 'processing' : 'error';
  return (
    <Card
      size="small"
      title={t('health.alarms.title')}
      extra={<span data-testid="event-stream-state"><Badge status={streamBadge} text={t(`health.alarms.stream.${stream}`)} /></span>}
    >
      {list.error ? <Alert type="error" showIcon message={messageOf(t, list.error)} /> : null}
      <Table<Alarm>
        data-testid="alarms-table"
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={alarms}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t('health.alarms.empty') }}
        expandable={{
          rowExpandable: (a) => Object.keys(a.detail).length > 0 || a.snapshot !== null,
          expandedRowRender: (a) => (
            <Space direction="vertical">
              {Object.keys(a.detail).length > 0 && <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>{JSON.stringify(a.detail, null, 2)}</Typography.Text>}
              {Array.isArray(a.detail.articles) && <ArticleTags articles={a.detail.articles.filter((x): x is string => typeof x === 'string')} label />}
              {a.clipFrom !== null && <span>{t('health.alarms.clip')}: {formatTime(a.clipFrom)} – {formatTime(a.clipTo)}</span>}
              {typeof a.detail.diagnosticId === 'number' && <Image width={320} src={healthApi.snapshotUrl(a.detail.diagnosticId)} />}
            </Space>
          ),
        }}
        columns={[
          { title: t('health.alarms.at'), dataIndex: 'at', width: 170, render: (v: number, a) => <Space size={4}>{formatTime(v)}{live.has(a.id) && <Tag color="magenta">{t('health.alarms.new')}</Tag>}</Space> },
          { title: t('health.alarms.severity'), dataIndex: 'severity', width: 90, render: (s: string) => <Tag color={SEVERITY[s] ?? 'default'}>{t(`health.alarms.severities.${s}`, { defaultValue: s })}</Tag> },
          { title: t('health.alarms.kind'), dataIndex: 'kind', width: 140, render: (k: string) => t(`health.alarms.kinds.${k}`, { defaultValue: k }) },
          { title: t('health.camera'), dataIndex: 'cameraId', width: 160, render: (id: number | null) => (id === null ? '—' : cameraName(id)) },
          { title: t('health.alarms.alarmTitle'), dataIndex: 'title' },
          {
            title: t('health.alarms.acknowledged'),
            key: 'ack',
            width: 170,
            render: (_: unknown, a) =>
              a.acknowledgedAt !== null ? (
                <Typography.Text type="secondary">{formatTime(a.acknowledgedAt)}</Typography.Text>
              ) : (
                <Button size="small" data-testid={`ack-${a.id}`} loading={busy === a.id} onClick={() => acknowledge(a.id)}>{t('health.alarms.acknowledge')}</Button>
              ),
          },
        ]}
      />
    </Card>
  );
}
