// Complaints received (CN-25), for the supervising unit of each region and its auditors.
import { Alert, Button, Card, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { day, supervisionApi, type ComplaintView } from '../systems/supervision-api';

export default function ComplaintsPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const list = useAsync(() => supervisionApi.complaints.list().then((r) => r.items), []);
  const [outcome, setOutcome] = useState<Record<number, string>>({});
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {list.error ? <Alert type="error" showIcon message={(list.error as Error).message} /> : null}
      <Card size="small" title={t('supervision.complaint.listTitle')} extra={<a href="/complaint" target="_blank" rel="noreferrer">{t('supervision.complaint.formLink')}</a>}>
        <Table<ComplaintView>
          data-testid="complaints-table"
          size="small"
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          columns={[
            { title: t('supervision.complaint.receivedAt'), dataIndex: 'receivedAt', render: day, width: 110 },
            { title: t('supervision.complaint.about'), dataIndex: 'about' },
            { title: t('supervision.complaint.text'), dataIndex: 'text' },
            { title: t('supervision.complaint.contact'), key: 'who', render: (_: unknown, c) => [c.name, c.contact].filter(Boolean).join(' · ') || '—' },
            {
              title: t('supervision.systems.state'),
              key: 'state',
              render: (_: unknown, c) =>
                c.state === 'handled' ? (
                  <Tag color="green">{c.outcome}</Tag>
                ) : (
                  <Space.Compact>
                    <Input size="small" value={outcome[c.id] ?? ''} onChange={(e) => setOutcome({ ...outcome, [c.id]: e.target.value })} placeholder={t('supervision.complaint.outcome')} />
                    <Button size="small" disabled={!outcome[c.id]?.trim()} onClick={async () => { try { await supervisionApi.complaints.handle(c.id, outcome[c.id]!); list.reload(); } catch (e) { report(e); } }}>{t('common.save')}</Button>
                  </Space.Compact>
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
