// Jurisdiction profiles: the numbers that differ between jurisdictions, each with its article.
import { Alert, Card, Col, Descriptions, List, Row, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { useLocalName } from '../../common/names';
import { useAsync } from '../../common/use-async';
import { flattenProfile, isLocalName, type ProfileRow } from './profile-values';

/** "minimumRetentionDays" → "minimum retention days": a readable fallback for keys. */
export const humanise = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();

function Value({ value }: { value: unknown }) {
  const { t } = useTranslation();
  const localName = useLocalName();
  if (value === null || value === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  if (typeof value === 'boolean') return <>{value ? t('common.yes') : t('common.no')}</>;
  if (typeof value === 'number' || typeof value === 'string') return <Typography.Text strong>{String(value)}</Typography.Text>;
  if (isLocalName(value)) return <>{localName(value)}</>;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || isLocalName(v)))
    return <>{value.map((v, i) => <Tag key={i}>{isLocalName(v) ? localName(v) : String(v)}</Tag>)}</>;
  return <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>{JSON.stringify(value)}</Typography.Text>;
}

export default function ProfilesPage() {
  const { t, i18n } = useTranslation();
  const localName = useLocalName();
  const list = useAsync(() => api.profiles.list(), []);
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!selected && list.data) setSelected(list.data.defaultProfileId ?? list.data.items[0]?.id);
  }, [list.data, selected]);
  const detail = useAsync(() => (selected ? api.profiles.get(selected) : Promise.resolve(undefined)), [selected]);
  const rows = useMemo(() => (detail.data ? flattenProfile(detail.data) : []), [detail.data]);
  const summary = list.data?.items.find((p) => p.id === selected);

  const label = (key: string) => (i18n.exists(`profileKey.${key}`) ? t(`profileKey.${key}`) : humanise(key));

  return (
    <Row gutter={16}>
      <Col xs={24} lg={6}>
        <Card size="small" title={t('profiles.title')}>
          {list.error ? <Alert type="error" message={(list.error as Error).message} /> : null}
          <List
            data-testid="profile-list"
            size="small"
            loading={list.loading}
            dataSource={list.data?.items ?? []}
            renderItem={(p) => (
              <List.Item
                onClick={() => setSelected(p.id)}
                style={{ cursor: 'pointer', background: p.id === selected ? '#e6f4ff' : undefined, paddingInline: 8 }}
              >
                <span>
                  {localName(p.name)} <Typography.Text type="secondary">{p.id}</Typography.Text>
                  {p.id === list.data?.defaultProfileId && <Tag color="blue" style={{ marginInlineStart: 6 }}>{t('profiles.default')}</Tag>}
                </span>
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} lg={18}>
        <Card size="small" title={summary ? localName(summary.name) : t('profiles.detail')} loading={detail.loading && !detail.data}>
          {summary && (
            <Descriptions size="small" column={3} style={{ marginBottom: 12 }}>
              <Descriptions.Item label={t('profiles.id')}>{summary.id}</Descriptions.Item>
              <Descriptions.Item label={t('profiles.inherits')}>{summary.inherits ?? '—'}</Descriptions.Item>
            </Descriptions>
          )}
          {detail.error ? <Alert type="error" message={(detail.error as Error).message} /> : null}
          <Table<ProfileRow>
            data-testid="profile-values"
            size="small"
            rowKey={(r) => r.path.join('.')}
            dataSource={rows}
            pagination={false}
            columns={[
              { title: t('profiles.parameter'), key: 'path', render: (_: unknown, r) => r.path.map(label).join(' › ') },
              { title: t('profiles.value'), key: 'value', render: (_: unknown, r) => <Value value={r.value} /> },
              { title: t('common.articles'), key: 'articles', width: 220, render: (_: unknown, r) => <ArticleTags articles={r.articles} /> },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
