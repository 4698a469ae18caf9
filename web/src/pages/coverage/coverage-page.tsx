// Coverage per region: which mandatory place categories have no camera yet, and which points
// sit in prohibited privacy places under the rules now in force — each with its articles.
import { Alert, Card, Col, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../../common/error-report';
import { api } from '../../api/client';
import type { ProhibitedViolation, RegionCoverage } from '../../api/types';
import { ArticleTags } from '../../common/articles';
import { useLocalName, useOrgName } from '../../common/names';
import { referenceFirstReads, useOrganisations, usePlaceCategories } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';

/** Depth of a region in the tree from its materialised path "/1/4/9/". */
const depthOf = (path: string) => Math.max(0, path.split('/').filter(Boolean).length - 1);

/** Local rules list mandatory places by article (AH-7(1): roads, junctions, tunnels …); grouping
 * them that way keeps a region with forty gaps readable. */
export function groupByArticles(missing: RegionCoverage['missing']): { articles: string[]; categories: string[] }[] {
  const groups = new Map<string, { articles: string[]; categories: string[] }>();
  for (const m of missing) {
    const key = m.articles.join(',');
    const g = groups.get(key) ?? { articles: m.articles, categories: [] };
    g.categories.push(m.category);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The reads of the first paint, begun early by a page load. */
export function firstReads(): void {
  referenceFirstReads();
  void api.reports.coverage();
}

export default function CoveragePage() {
  const { t } = useTranslation();
  const localName = useLocalName();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const categories = usePlaceCategories();
  const report = useAsync(() => api.reports.coverage(), []);
  const catName = (id: string) => localName(categories.byId.get(id)?.name, id);

  const regions = [...(report.data?.regions ?? [])].sort((a, b) => a.path.localeCompare(b.path));
  const violations = report.data?.violations ?? [];
  const gaps = regions.filter((r) => r.missing.length).length;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {report.error ? <Alert type="error" showIcon message={messageOf(t, report.error)} /> : null}
      <Row gutter={16}>
        <Col span={8}><Card size="small"><Statistic title={t('coverage.regions')} value={regions.length} /></Card></Col>
        <Col span={8}><Card size="small"><Statistic title={t('coverage.regionsWithGaps')} value={gaps} valueStyle={gaps ? { color: '#d46b08' } : undefined} /></Card></Col>
        <Col span={8}><Card size="small"><Statistic title={t('coverage.violations')} value={violations.length} valueStyle={violations.length ? { color: '#cf1322' } : undefined} /></Card></Col>
      </Row>
      <Card size="small" title={t('coverage.mandatoryTitle')}>
        <Typography.Paragraph type="secondary">{t('coverage.mandatoryHelp')}</Typography.Paragraph>
        <Table<RegionCoverage>
          data-testid="coverage-table"
          size="small"
          rowKey="regionId"
          loading={report.loading}
          dataSource={regions}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            {
              title: t('coverage.region'),
              key: 'region',
              render: (_: unknown, r) => (
                <span style={{ paddingInlineStart: depthOf(r.path) * 16 }}>
                  {orgName(orgs.byId.get(r.regionId), r.name)} {r.level && <Tag color="blue">{t(`enum.level.${r.level}`)}</Tag>}
                </span>
              ),
            },
            { title: t('coverage.profile'), dataIndex: 'profileId', width: 120 },
            { title: t('coverage.cameras'), dataIndex: 'cameras', width: 90, align: 'right' },
            {
              title: t('coverage.covered'),
              key: 'covered',
              width: 110,
              render: (_: unknown, r) => `${r.covered.length} / ${r.covered.length + r.missing.length}`,
            },
            {
              title: t('coverage.missing'),
              key: 'missing',
              render: (_: unknown, r) =>
                r.missing.length ? (
                  <Space direction="vertical" size={4}>
                    {groupByArticles(r.missing).map((g) => (
                      <div key={g.articles.join(',')} style={{ display: 'flex', gap: 4, alignItems: 'flex-start' }}>
                        <span style={{ flex: 'none' }}><ArticleTags articles={g.articles} /></span>
                        <span>{g.categories.map((c) => <Tag key={c} color="orange" style={{ marginBottom: 2 }}>{catName(c)}</Tag>)}</span>
                      </div>
                    ))}
                  </Space>
                ) : (
                  <Tag color="green">{t('coverage.complete')}</Tag>
                ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('coverage.violationsTitle')}>
        <Typography.Paragraph type="secondary">{t('coverage.violationsHelp')}</Typography.Paragraph>
        <Table<ProhibitedViolation>
          data-testid="violations-table"
          size="small"
          rowKey={(v) => `${v.regionId}:${v.placeCategory}`}
          loading={report.loading}
          dataSource={violations}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: t('coverage.noViolations') }}
          columns={[
            { title: t('coverage.region'), dataIndex: 'regionId', render: (id: number) => orgName(orgs.byId.get(id), String(id)) },
            { title: t('camera.placeCategory'), dataIndex: 'placeCategory', render: (c: string) => <Tag color="red">{catName(c)}</Tag> },
            { title: t('coverage.cameras'), dataIndex: 'cameras', width: 90, align: 'right' },
            { title: t('common.articles'), dataIndex: 'articles', render: (a: string[]) => <ArticleTags articles={a} /> },
            { title: t('coverage.profile'), dataIndex: 'profileId', width: 120 },
          ]}
        />
      </Card>
    </Space>
  );
}
