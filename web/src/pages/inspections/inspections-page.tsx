// Inspections (监督检查, R8): police supervisors start one for a unit; the checklist comes from
// the profile's articles and the platform's own data; findings cite articles; rectification
// orders have a deadline and a follow-up. The unit sees its own and reports its corrections.
import { Alert, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { useOrganisations } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { useMe } from '../../session/session';
import { day, supervisionApi, type InspectionView } from '../systems/supervision-api';
import { InspectionDetail } from './inspection-detail';

export default function InspectionsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const report = useErrorReporter();
  const list = useAsync(() => supervisionApi.inspections.list().then((r) => r.items), []);
  const [unit, setUnit] = useState<number>();
  const [open, setOpen] = useState<number | null>(null);
  const police = me.roles.some((r) => r.role === 'supervisor');

  const start = async () => {
    try {
      const ins = await supervisionApi.inspections.start(unit!);
      list.reload();
      setOpen(ins.id);
    } catch (e) {
      report(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {list.error ? <Alert type="error" showIcon message={(list.error as Error).message} /> : null}
      <Card
        size="small"
        title={t('supervision.inspections.title')}
        extra={
          police && (
            <Space>
              <Select data-testid="inspect-unit" style={{ width: 240 }} placeholder={t('supervision.inspections.unit')} value={unit} onChange={setUnit} showSearch optionFilterProp="label" options={orgs.units.map((u) => ({ value: u.id, label: orgName(u) }))} />
              <Button type="primary" data-testid="start-inspection" disabled={!unit} onClick={start}>{t('supervision.inspections.start')}</Button>
            </Space>
          )
        }
      >
        <Typography.Paragraph type="secondary">{t('supervision.inspections.help')}</Typography.Paragraph>
        <Table<InspectionView>
          data-testid="inspections-table"
          size="small"
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          onRow={(i) => ({ onClick: () => setOpen(i.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('supervision.inspections.unit'), dataIndex: 'unitId', render: (id: number) => orgName(orgs.byId.get(id), String(id)) },
            { title: t('supervision.inspections.started'), dataIndex: 'startedAt', render: day },
            { title: t('supervision.systems.profile'), dataIndex: 'profileId' },
            { title: t('supervision.systems.state'), dataIndex: 'state', render: (s: string) => <Tag color={s === 'open' ? 'blue' : 'default'}>{t(`supervision.inspections.state.${s}`)}</Tag> },
            { title: t('supervision.inspections.failed'), key: 'failed', render: (_: unknown, i) => i.checklist.filter((c) => c.status === 'fail').length },
            { title: t('supervision.inspections.orders'), key: 'orders', render: (_: unknown, i) => i.rectifications.filter((r) => r.state !== 'closed').length },
          ]}
        />
      </Card>
      <InspectionDetail id={open} onClose={() => setOpen(null)} onChanged={list.reload} />
    </Space>
  );
}
