// Filings (备案, R7.2) as the police see them: every system in reach with its deadline and the
// article behind it, overdue ones first on request; receiving a filing and recording the visit.
import { Alert, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter, messageOf } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { useMe } from '../../session/session';
import { stateColour } from '../systems/state-colour';
import { day, supervisionApi, type FilingStatus } from '../systems/supervision-api';

const STATES = ['overdue', 'due', 'filed', 'filed-late', 'not-started', 'no-deadline'];

export default function FilingsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const [state, setState] = useState<string>();
  const list = useAsync(() => supervisionApi.filings.list(state).then((r) => r.items), [state]);
  const police = me.roles.some((r) => r.role === 'supervisor');
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      list.reload();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {list.error ? <Alert type="error" showIcon message={messageOf(t, list.error)} /> : null}
      <Card size="small" title={t('supervision.filings.title')} extra={<Select data-testid="filing-state" allowClear style={{ width: 180 }} placeholder={t('supervision.systems.state')} value={state} onChange={setState} options={STATES.map((s) => ({ value: s, label: t(`supervision.filingState.${s}`) }))} />}>
        <Typography.Paragraph type="secondary">{t('supervision.filings.help')}</Typography.Paragraph>
        <Table<FilingStatus>
          data-testid="filings-table"
          size="small"
          rowKey="systemId"
          loading={list.loading}
          dataSource={list.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: t('supervision.systems.name'), dataIndex: 'systemName' },
            { title: t('supervision.systems.state'), dataIndex: 'state', render: (s: string) => <Tag color={stateColour[s]}>{t(`supervision.filingState.${s}`)}</Tag> },
            { title: t('supervision.due'), key: 'due', render: (_: unknown, f) => day(f.deadline.dueAt) },
            { title: t('common.articles'), key: 'art', render: (_: unknown, f) => <ArticleTags articles={f.deadline.article ? [f.deadline.article] : []} /> },
            { title: t('supervision.filings.basis'), key: 'basis', render: (_: unknown, f) => <Typography.Text type="secondary">{f.deadline.basis}</Typography.Text> },
            { title: t('supervision.filings.visit'), key: 'visit', render: (_: unknown, f) => (f.visitState ? <Tag>{t(`supervision.visit.${f.visitState}`)} {f.visitDueAt ? day(f.visitDueAt) : ''}</Tag> : '—') },
            {
              title: '',
              key: 'act',
              render: (_: unknown, f) =>
                police && f.filingId !== null ? (
                  f.visitState === null ? (
                    <Button size="small" onClick={() => act(() => supervisionApi.filings.receive(f.filingId!))}>{t('supervision.filings.receive')}</Button>
                  ) : f.visitState === 'due' || f.visitState === 'overdue' || f.visitState === 'no-deadline' ? (
                    <Button size="small" onClick={() => act(() => supervisionApi.filings.visit(f.filingId!, t('supervision.filings.visited')))}>{t('supervision.filings.recordVisit')}</Button>
                  ) : null
                ) : null,
            },
          ]}
        />
      </Card>
    </Space>
  );
}
