// Systems (R7): each unit's installations and government-built ones, their cameras — and why a
// camera is not in service, with the article — documents, acceptance, going into service, filing.
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter, messageOf } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { toSelectTree, useOrganisations } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { supervisionApi, day, type SystemInput, type SystemView } from './supervision-api';
import { SystemDetail } from './system-detail';
import { stateColour } from './state-colour';

export default function SystemsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const report = useErrorReporter();
  const list = useAsync(() => supervisionApi.systems.list().then((r) => r.items), []);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<SystemInput>();
  const canManage = holds(me, 'config:write');
  const unitOptions = orgs.units.map((u) => ({ value: u.id, label: orgName(u) }));

  const create = async () => {
    try {
      const v = await form.validateFields();
      const s = await supervisionApi.systems.create(v);
      setCreating(false);
      form.resetFields();
      list.reload();
      setOpen(s.id);
    } catch (e) {
      if ((e as { errorFields?: unknown }).errorFields) return;
      report(e, form);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      {list.error ? <Alert type="error" showIcon message={messageOf(t, list.error)} /> : null}
      <Card
        size="small"
        title={t('supervision.systems.title')}
        extra={canManage && <Button type="primary" data-testid="new-system" onClick={() => setCreating(true)}>{t('supervision.systems.new')}</Button>}
      >
        <Typography.Paragraph type="secondary">{t('supervision.systems.help')}</Typography.Paragraph>
        <Table<SystemView>
          data-testid="systems-table"
          size="small"
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          onRow={(s) => ({ onClick: () => setOpen(s.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('supervision.systems.name'), dataIndex: 'name' },
            { title: t('supervision.systems.region'), dataIndex: 'regionId', render: (id: number) => orgName(orgs.byId.get(id), String(id)) },
            { title: t('supervision.systems.funding'), dataIndex: 'funding', render: (f: string) => t(`supervision.funding.${f}`) },
            { title: t('supervision.systems.state'), dataIndex: 'state', render: (s: string) => <Tag color={stateColour[s]}>{t(`supervision.state.${s}`)}</Tag> },
            { title: t('supervision.systems.acceptance'), dataIndex: 'acceptance', render: (a: string | null) => (a ? <Tag color={stateColour[a]}>{t(`supervision.acceptance.${a}`)}</Tag> : '—') },
            {
              title: t('supervision.systems.filing'),
              key: 'filing',
              render: (_: unknown, s) => (
                <Space size={4}>
                  <Tag color={stateColour[s.filing.state]}>{t(`supervision.filingState.${s.filing.state}`)}</Tag>
                  {s.filing.deadline.dueAt ? `${t('supervision.due')} ${day(s.filing.deadline.dueAt)}` : null}
                  {s.filing.deadline.article && <Tag>{s.filing.deadline.article}</Tag>}
                </Space>
              ),
            },
            { title: t('supervision.systems.cameras'), key: 'cameras', align: 'right', render: (_: unknown, s) => s.cameras.length },
          ]}
        />
      </Card>
      <Modal open={creating} title={t('supervision.systems.new')} onCancel={() => setCreating(false)} onOk={create} okButtonProps={{ 'data-testid': 'create-system' } as never} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ funding: 'self', builtBeforeRules: false }}>
          <Form.Item name="name" label={t('supervision.systems.name')} rules={[{ required: true }]}><Input data-testid="system-name" /></Form.Item>
          <Form.Item name="regionId" label={t('supervision.systems.region')} rules={[{ required: true }]}>
            <TreeSelect data-testid="system-region" treeData={toSelectTree(orgs.platforms, (o) => orgName(o))} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
          </Form.Item>
          <Form.Item name="funding" label={t('supervision.systems.funding')}>
            <Select data-testid="system-funding" options={['government', 'self'].map((f) => ({ value: f, label: t(`supervision.funding.${f}`) }))} />
          </Form.Item>
          <Form.Item name="userUnitId" label={t('supervision.systems.userUnit')} rules={[{ required: true }]}><Select data-testid="system-user-unit" options={unitOptions} showSearch optionFilterProp="label" /></Form.Item>
          <Form.Item name="maintainerUnitId" label={t('supervision.systems.maintainerUnit')}><Select options={unitOptions} allowClear showSearch optionFilterProp="label" /></Form.Item>
          <Form.Item name="builtBeforeRules" valuePropName="checked"><Checkbox>{t('supervision.systems.builtBeforeRules')}</Checkbox></Form.Item>
        </Form>
      </Modal>
      <SystemDetail id={open} onClose={() => setOpen(null)} onChanged={list.reload} />
    </Space>
  );
}
