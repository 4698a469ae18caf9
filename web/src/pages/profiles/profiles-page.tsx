// Jurisdiction profiles: the numbers that differ between jurisdictions, each with its article;
// the places where cameras are mandatory or prohibited; penalties; and the articles' text.
import { Alert, Card, Col, Descriptions, List, Row, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../../common/error-report';
import { api, askEarly } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { useLocalName } from '../../common/names';
import { usePlaceCategories } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { isLocalText, readProfile, type CategoryRule, type LocalText, type Penalty, type ProfileRow } from './profile-values';

/** "minimumRetentionDays" → "minimum retention days": a readable fallback for keys without a label. */
export const humanise = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();

function useLabels() {
  const { t, i18n } = useTranslation();
  return useMemo(() => {
    const of = (group: string) => (key: string) => (i18n.exists(`${group}.${key}`) ? t(`${group}.${key}`) : humanise(key));
    return { key: of('profileKey'), value: of('profileValue'), when: of('penalty.when'), payer: of('penalty.payer') };
  }, [t, i18n]);
}

/** Rates are fractions in the profile (0.95); people read them as percentages. */
const isRate = (path: string[]) => /Rate(Target)?$/.test(path[path.length - 1] ?? '');

function Value({ value, path = [] }: { value: unknown; path?: string[] }) {
  const { t } = useTranslation();
  const localName = useLocalName();
  const labels = useLabels();
  if (value === null || value === undefined) return <Typography.Text type="secondary">{t('profiles.notSet')}</Typography.Text>;
  if (typeof value === 'boolean') return <Typography.Text strong>{value ? t('common.yes') : t('common.no')}</Typography.Text>;
  if (typeof value === 'number') return <Typography.Text strong>{isRate(path) && value <= 1 ? `${Math.round(value * 1000) / 10}%` : value}</Typography.Text>;
  if (typeof value === 'string') return <Typography.Text strong>{labels.value(value)}</Typography.Text>;
  if (isLocalText(value)) return <>{localName(value)}</>;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || isLocalText(v)))
    return <>{value.map((v, i) => <Tag key={i}>{isLocalText(v) ? localName(v) : String(v)}</Tag>)}</>;
  return <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>{JSON.stringify(value)}</Typography.Text>;
}

/** The reads of the first paint, begun early by a page load. */
export function firstReads(): void {
  // The profile shown first is the list's default: its read follows the list's answer at once,
  // not after the page has rendered the list.
  api.profiles.list().then((r) => {
    const first = r.defaultProfileId ?? r.items[0]?.id;
    if (first) askEarly(() => void api.profiles.get(first));
  }, () => undefined);
  void api.profiles.placeCategories();
}

export default function ProfilesPage() {
  const { t, i18n } = useTranslation();
  const localName = useLocalName();
  const labels = useLabels();
  const categories = usePlaceCategories();
  const list = useAsync(() => api.profiles.list(), []);
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!selected && list.data) setSelected(list.data.defaultProfileId ?? list.data.items[0]?.id);
  }, [list.data, selected]);
  const detail = useAsync(() => (selected ? api.profiles.get(selected) : Promise.resolve(undefined)), [selected]);
  const view = useMemo(() => (detail.data ? readProfile(detail.data) : undefined), [detail.data]);
  const summary = list.data?.items.find((p) => p.id === selected);
  const texts = view?.articleTexts;
  const localText = (v: LocalText | string | undefined) => (v === undefined ? '' : typeof v === 'string' ? v : localName(v));
  const catName = (id: string) => localName(categories.byId.get(id)?.name, id);

  const categoryTable = (rules: CategoryRule[], colour: string, testId: string) => (
    <Table<CategoryRule>
      data-testid={testId}
      size="small"
      rowKey="category"
      dataSource={rules}
      pagination={false}
      locale={{ emptyText: t('profiles.noCategories') }}
      columns={[
        { title: t('camera.placeCategory'), dataIndex: 'category', render: (c: string) => <Tag color={colour}>{catName(c)}</Tag> },
        { title: t('common.articles'), dataIndex: 'articles', width: 200, render: (a: string[]) => <ArticleTags articles={a} texts={texts} /> },
      ]}
    />
  );

  return (
    <Row gutter={16}>
      <Col xs={24} lg={5}>
        <Card size="small" title={t('profiles.title')}>
          {list.error ? <Alert type="error" message={messageOf(t, list.error)} /> : null}
          <List
            data-testid="profile-list"
            size="small"
            loading={list.loading}
            dataSource={list.data?.items ?? []}
            renderItem={(p) => (
              <List.Item onClick={() => setSelected(p.id)} style={{ cursor: 'pointer', background: p.id === selected ? '#e6f4ff' : undefined, paddingInline: 8 }}>
                <span>
                  {localName(p.name)} <Typography.Text type="secondary">{p.id}</Typography.Text>
                  {p.id === list.data?.defaultProfileId && <Tag color="blue" style={{ marginInlineStart: 6 }}>{t('profiles.default')}</Tag>}
                </span>
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} lg={19}>
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          {detail.error ? <Alert type="error" message={messageOf(t, detail.error)} /> : null}
          <Card size="small" title={summary ? localName(summary.name) : t('profiles.detail')} loading={detail.loading && !view}>
            {view && (
              <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
                <Descriptions.Item label={t('profiles.id')}>{view.id ?? selected}</Descriptions.Item>
                <Descriptions.Item label={t('profiles.code')}>{view.code ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('profiles.inherits')}>{view.lineage.length > 1 ? view.lineage.join(' → ') : (view.inherits ?? summary?.inherits ?? '—')}</Descriptions.Item>
                <Descriptions.Item label={t('profiles.divisionCode')}>{view.divisionCode ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('profiles.source')} span={2}>
                  {localText(view.source?.title) || '—'} {view.source?.status && <Tag>{labels.value(view.source.status)}</Tag>}
                </Descriptions.Item>
              </Descriptions>
            )}
            <Table<ProfileRow>
              data-testid="profile-values"
              size="small"
              rowKey={(r) => r.path.join('.')}
              dataSource={view?.parameters ?? []}
              pagination={false}
              columns={[
                { title: t('profiles.parameter'), key: 'path', render: (_: unknown, r) => r.path.map(labels.key).join(' › ') },
                { title: t('profiles.value'), key: 'value', width: 160, render: (_: unknown, r) => <Value value={r.value} path={r.path} /> },
                { title: t('common.articles'), key: 'articles', width: 160, render: (_: unknown, r) => <ArticleTags articles={r.articles} texts={texts} /> },
                {
                  title: t('profiles.note'),
                  key: 'note',
                  render: (_: unknown, r) => (
                    <>
                      {r.from && r.from !== view?.id && <Tag>{t('profiles.from', { id: r.from })}</Tag>}
                      {r.platformDefault && <Tag color="gold" data-testid="profile-platform-default">{t('profiles.platformDefault')}</Tag>}
                      {r.note && <Typography.Text type="secondary">{r.note}</Typography.Text>}
                    </>
                  ),
                },
              ]}
            />
          </Card>
          {view && (
            <Row gutter={16}>
              <Col xs={24} xl={12}>
                <Card size="small" title={t('profiles.mandatory')}>{categoryTable(view.mandatory, 'green', 'profile-mandatory')}</Card>
              </Col>
              <Col xs={24} xl={12}>
                <Card size="small" title={t('profiles.prohibited')}>{categoryTable(view.prohibited, 'red', 'profile-prohibited')}</Card>
              </Col>
            </Row>
          )}
          {view && view.penalties.length > 0 && (
            <Card size="small" title={t('profiles.penalties')}>
              <Table<Penalty>
                size="small"
                rowKey={(p, i) => `${p.articles.join(',')}:${i}`}
                dataSource={view.penalties}
                pagination={false}
                columns={[
                  { title: t('common.articles'), dataIndex: 'articles', width: 120, render: (a: string[]) => <ArticleTags articles={a} texts={texts} /> },
                  { title: t('profiles.offence'), dataIndex: 'offence', render: (o?: LocalText | string) => localText(o) },
                  { title: t('profiles.when'), dataIndex: 'when', width: 150, render: (w?: string) => (w ? labels.when(w) : '—') },
                  {
                    title: t('profiles.fines'),
                    dataIndex: 'fines',
                    width: 300,
                    render: (fines: Penalty['fines']) =>
                      fines.map((f, i) => (
                        <div key={i}>
                          {labels.payer(f.payer)}: {t('profiles.yuanRange', { min: f.minYuan?.toLocaleString(i18n.language) ?? '—', max: f.maxYuan?.toLocaleString(i18n.language) ?? '—' })}
                        </div>
                      )),
                  },
                ]}
              />
            </Card>
          )}
          {view && (view.notes.length > 0 || view.source?.note) && (
            <Card size="small" title={t('profiles.notes')}>
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {view.source?.note && <li>{view.source.note}</li>}
                {view.notes.map((n, i) => (
                  <li key={i}>
                    {n.text} {n.from && n.from !== view.id && <Tag>{t('profiles.from', { id: n.from })}</Tag>}
                  </li>
                ))}
              </ul>
            </Card>
          )}
          {view && Object.keys(view.articleTexts).length > 0 && (
            <Card size="small" title={t('profiles.articleTexts')}>
              <Descriptions size="small" column={1} bordered>
                {Object.entries(view.articleTexts).map(([a, txt]) => (
                  <Descriptions.Item key={a} label={<Tag color="geekblue">{a}</Tag>}>{localText(txt)}</Descriptions.Item>
                ))}
              </Descriptions>
            </Card>
          )}
        </Space>
      </Col>
    </Row>
  );
}
