// Today's online rate (在线率) and good rate (完好率) per region and per maintainer unit against
// the profile's target with its article, and the weekly trend.
import { Alert, Card, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../../common/error-report';
import { ArticleTags } from '../../common/articles';
import { useAsync } from '../../common/use-async';
import { healthApi } from './health-api';
import { percent, type HealthReportRow, type TargetCheck } from './health-model';
import { TrendChart } from './trend-chart';

function Verdict({ check }: { check: TargetCheck | null }) {
  const { t } = useTranslation();
  if (!check) return <Typography.Text type="secondary">—</Typography.Text>;
  if (check.target === null) {
    return <Tooltip title={check.note ?? undefined}><Tag>{t('health.rates.noTarget')}</Tag></Tooltip>;
  }
  return (
    <Space size={4} wrap>
      <Tag color={check.met === null ? 'default' : check.met ? 'green' : 'red'} data-testid="target-verdict">
        {check.met === null ? t('health.rates.noData') : check.met ? t('health.rates.met') : t('health.rates.missed')} ≥ {percent(check.target)}
      </Tag>
      {check.article && <ArticleTags articles={[check.article]} />}
    </Space>
  );
}

function scopeQuery(scope: string): { regionId?: number; unitId?: number } {
  const id = Number(scope.slice(2));
  if (scope.startsWith('r:') && id > 0) return { regionId: id };
  if (scope.startsWith('u:') && id > 0) return { unitId: id };
  return {};
}

export function RatesTab() {
  const { t } = useTranslation();
  const [weeks, setWeeks] = useState(8);
  /** The trend of everything one may see, or of one region ('r:12') or unit ('u:7'). */
  const [scope, setScope] = useState<string>('all');
  const report = useAsync(() => healthApi.report(), []);
  const trends = useAsync(() => healthApi.trends(weeks, scopeQuery(scope)), [weeks, scope]);
  const rows = report.data ? [...report.data.regions, ...report.data.units.map((u) => ({ ...u, unit: true }))] : [];
  // The chart's target line: the regions' good-rate target when they share one.
  const targets = [...new Set((report.data?.regions ?? []).map((r) => r.goodRateTarget?.target ?? null).filter((v): v is number => v !== null))];
  const scoped = scope.startsWith('r:') ? report.data?.regions.find((r) => `r:${r.organisationId}` === scope) : undefined;
  const target = scoped ? (scoped.goodRateTarget?.target ?? null) : targets.length === 1 ? targets[0]! : null;
  const scopes = [
    { value: 'all', label: t('health.rates.allScope') },
    ...(report.data?.regions ?? []).filter((r) => r.organisationId !== null).map((r) => ({ value: `r:${r.organisationId}`, label: `${t('health.rates.region')}: ${r.name}` })),
    ...(report.data?.units ?? []).filter((u) => u.organisationId !== null).map((u) => ({ value: `u:${u.organisationId}`, label: `${t('health.rates.unit')}: ${u.name}` })),
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {report.error ? <Alert type="error" showIcon message={messageOf(t, report.error)} /> : null}
      <Card size="small" title={t('health.rates.todayTitle', { day: report.data?.day ?? '' })}>
        <Typography.Paragraph type="secondary">{t('health.rates.help')}</Typography.Paragraph>
        <Table<HealthReportRow & { unit?: boolean }>
          data-testid="health-rates-table"
          size="small"
          rowKey={(r) => `${r.unit ? 'u' : 'r'}:${r.organisationId ?? 'none'}`}
          loading={report.loading}
          dataSource={rows}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: t('health.rates.empty') }}
          columns={[
            {
              title: t('health.rates.organisation'),
              key: 'name',
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Tag color={r.unit ? 'purple' : 'blue'}>{r.unit ? t('health.rates.unit') : t('health.rates.region')}</Tag>
                  {r.name}
                </Space>
              ),
            },
            { title: t('health.rates.profile'), dataIndex: 'profileId', width: 110, render: (p: string | null) => p ?? '—' },
            { title: t('health.rates.cameras'), dataIndex: 'cameras', width: 80, align: 'right' },
            { title: t('health.rates.goodCameras'), dataIndex: 'goodCameras', width: 90, align: 'right' },
            { title: t('health.rates.onlineRate'), dataIndex: 'onlineRate', width: 100, align: 'right', render: (v: number | null) => percent(v) },
            { title: t('health.rates.onlineTarget'), key: 'onlineTarget', render: (_: unknown, r) => <Verdict check={r.onlineRateTarget} /> },
            { title: t('health.rates.goodRate'), dataIndex: 'goodRate', width: 100, align: 'right', render: (v: number | null) => percent(v) },
            { title: t('health.rates.goodTarget'), key: 'goodTarget', render: (_: unknown, r) => <Verdict check={r.goodRateTarget} /> },
            { title: t('health.forceMajeure.excluded'), dataIndex: 'excludedSeconds', width: 120, align: 'right', render: (v: number) => (v ? `${(v / 3600).toFixed(1)} h` : '—') },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t('health.rates.trendTitle')}
        extra={
          <Space>
            <Select data-testid="trend-scope" value={scope} onChange={setScope} style={{ width: 240 }} options={scopes} />
            <Select data-testid="trend-weeks" value={weeks} onChange={setWeeks} style={{ width: 120 }} options={[4, 8, 12, 26].map((w) => ({ value: w, label: t('health.rates.weeks', { count: w }) }))} />
          </Space>
        }
      >
        {trends.error ? <Alert type="error" showIcon message={messageOf(t, trends.error)} /> : null}
        {trends.data && <TrendChart trends={trends.data} target={target} />}
      </Card>
    </Space>
  );
}
