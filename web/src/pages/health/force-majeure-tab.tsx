// Force majeure (不可抗力, HRB-25(3)): an outage span one person proposes with a reason and a
// second person confirms; once confirmed it leaves the online and good rates and the report lists
// it apart. The server refuses a proposer confirming their own mark, citing the article.
import { Alert, Button, Card, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { useMe } from '../../session/session';
import { formatTime } from '../access-requests/request-state';
import { healthApi } from './health-api';
import type { ForceMajeureMark } from './health-model';

interface Values {
  cameraId: number;
  range: [Dayjs, Dayjs];
  reason: string;
}

export function ForceMajeureTab({ cameraName, cameras }: { cameraName: (id: number) => string; cameras: Camera[] }) {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const list = useAsync(() => healthApi.forceMajeure.list().then((r) => r.items), []);
  const [form] = Form.useForm<Values>();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);

  const propose = async (v: Values) => {
    setSaving(true);
    try {
      await healthApi.forceMajeure.propose(v.cameraId, v.range[0].valueOf(), v.range[1].valueOf(), v.reason);
      setOpen(false);
      form.resetFields();
      list.reload();
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };
  const confirm = async (id: number) => {
    try {
      await healthApi.forceMajeure.confirm(id);
      list.reload();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Card size="small" title={t('health.forceMajeure.title')} extra={<Button type="primary" size="small" data-testid="fm-propose" onClick={() => setOpen(true)}>{t('health.forceMajeure.propose')}</Button>}>
      <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t('health.forceMajeure.explain')} />
      {list.error ? <Alert type="error" showIcon message={(list.error as Error).message} /> : null}
      <Table<ForceMajeureMark>
        data-testid="fm-table"
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: t('health.forceMajeure.empty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('health.camera'), dataIndex: 'cameraId', render: (id: number) => cameraName(id) },
          { title: t('health.forceMajeure.from'), dataIndex: 'from', render: (v: number) => formatTime(v) },
          { title: t('health.forceMajeure.to'), dataIndex: 'to', render: (v: number) => formatTime(v) },
          { title: t('health.forceMajeure.reason'), dataIndex: 'reason' },
          { title: t('health.forceMajeure.article'), dataIndex: 'article', render: (a: string) => <ArticleTags articles={[a]} /> },
          {
            title: t('health.forceMajeure.state'),
            key: 'state',
            render: (_: unknown, m) =>
              m.confirmedBy !== null ? (
                <Tag color="green" data-testid="fm-state">{t('health.forceMajeure.confirmed')}</Tag>
              ) : (
                <>
                  <Tag color="gold" data-testid="fm-state">{t('health.forceMajeure.proposed')}</Tag>
                  {m.proposedBy !== me.userId ? <Button size="small" data-testid="fm-confirm" onClick={() => void confirm(m.id)}>{t('health.forceMajeure.confirm')}</Button> : <Tag>{t('health.forceMajeure.needsSecond')}</Tag>}
                </>
              ),
          },
        ]}
      />
      <Modal open={open} title={t('health.forceMajeure.proposeTitle')} onCancel={() => setOpen(false)} okText={t('health.forceMajeure.submit')} okButtonProps={{ loading: saving, 'data-testid': 'fm-submit' } as never} onOk={() => form.submit()} destroyOnHidden>
        <Form<Values> form={form} layout="vertical" onFinish={propose}>
          <Form.Item name="cameraId" label={t('health.camera')} rules={[{ required: true }]}>
            <Select data-testid="fm-camera" showSearch optionFilterProp="label" placeholder={t('health.orders.pickCamera')} options={cameras.map((c) => ({ value: c.id, label: `${c.name} (${c.gbId})` }))} />
          </Form.Item>
          <Form.Item name="range" label={t('health.forceMajeure.span')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="reason" label={t('health.forceMajeure.reason')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea data-testid="fm-reason" rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
