// The compliance dashboard per region (R8): mandatory places missing, prohibited-place points,
// filings due and overdue, retention shortfalls, good rate, open rectifications — exportable.
import { Alert, Button, Card, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../../common/error-report';
import { ArticleTags } from '../../common/articles';
import { useAsync } from '../../common/use-async';
import { supervisionApi, type RegionCompliance } from '../systems/supervision-api';

export default function CompliancePage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const report = useAsync(() => supervisionApi.compliance.report(), []);
  const regions = [...(report.data?.regions ?? [])].sort((a, b) => a.path.localeCompare(b.path));
  const depth = (path: string) => Math.max(0, path.split('/').filter(Boolean).length - 1);
  const link = (format: 'csv' | 'pdf', lang: 'zh' | 'en') => (
    <Button key={`${format}-${lang}`} size="small" href={supervisionApi.compliance.exportUrl(format, lang)} data-testid={`export-${format}-${lang}`}>
      {format.toUpperCase()} {lang === 'zh' ? '中文' : 'English'}
    </Button>
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {report.error ? <Alert type="error" showIcon message={messageOf(t, report.error)} /> : null}
      <Card size="small" title={t('supervision.compliance.title')} extra={<Space>{link('csv', 'zh')}{link('csv', 'en')}{link('pdf', 'zh')}{link('pdf', 'en')}</Space>}>
        <Table<RegionCompliance>
          data-testid="compliance-table"
          size="small"
          rowKey="regionId"
          loading={report.loading}
          dataSource={regions}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: t('supervision.systems.region'), key: 'name', render: (_: unknown, r) => <span style={{ paddingInlineStart: depth(r.path) * 16 }}>{en && r.nameEn ? r.nameEn : r.name}</span> },
            { title: t('supervision.systems.profile'), dataIndex: 'profileId' },
            { title: t('supervision.systems.cameras'), dataIndex: 'cameras', align: 'right' },
            { title: t('supervision.compliance.missing'), key: 'missing', render: (_: unknown, r) => (r.mandatoryMissing.length ? <Tag color="orange">{r.mandatoryMissing.length}</Tag> : <Tag color="green">0</Tag>) },
            { title: t('supervision.compliance.prohibited'), key: 'prohibited', render: (_: unknown, r) => (r.prohibited.length ? r.prohibited.map((p) => <div key={p.placeCategory}><Tag color="red">{p.placeCategory} ×{p.cameras}</Tag><ArticleTags articles={p.articles} /></div>) : '0') },
            {
              title: t('supervision.compliance.filings'),
              key: 'filings',
              render: (_: unknown, r) => (
                <Space size={4} data-testid="compliance-filings">
                  <span>{r.filings.filed}/{r.filings.due}/</span>
                  <span style={{ color: r.filings.overdue ? '#cf1322' : undefined }}>{r.filings.overdue}</span>
                  <ArticleTags articles={r.filings.article ? [r.filings.article] : []} />
                </Space>
              ),
            },
            { title: t('supervision.compliance.retention'), key: 'retention', render: (_: unknown, r) => <Space size={4}>{r.retention.shortfalls}/{r.retention.inService}<ArticleTags articles={r.retention.article ? [r.retention.article] : []} /></Space> },
            {
              title: t('supervision.compliance.goodRate'),
              key: 'good',
              render: (_: unknown, r) => (r.goodRate ? `${((r.goodRate.good / r.goodRate.total) * 100).toFixed(1)}%${r.goodRate.target !== null ? ` / ${(r.goodRate.target * 100).toFixed(0)}%` : ''}` : t('supervision.status.not-measured')),
            },
            { title: t('supervision.compliance.rectifications'), key: 'rect', render: (_: unknown, r) => `${r.rectifications.open}/${r.rectifications.overdue}` },
          ]}
        />
      </Card>
    </Space>
  );
}
