// Opening a work order by hand (damage by municipal works, coverage to restore after a
// relocation, or a fault someone saw): the server sets the deadline from the camera's profile.
import { Button, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { useErrorReporter } from '../../common/error-report';
import { healthApi } from './health-api';
import { WORK_ORDER_CAUSES, type WorkOrder } from './health-model';

interface Values {
  cameraId: number;
  cause: string;
  note?: string;
}

export function OpenWorkOrder({ cameras, onOpened }: { cameras: Camera[]; onOpened(o: WorkOrder): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<Values>();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);

  const submit = async (v: Values) => {
    setSaving(true);
    try {
      const o = await healthApi.workOrders.open(v.cameraId, v.cause, v.note ?? '');
      setOpen(false);
      form.resetFields();
      onOpened(o);
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Button type="primary" size="small" data-testid="open-order" onClick={() => setOpen(true)}>{t('health.orders.new')}</Button>
      <Modal open={open} title={t('health.orders.newTitle')} onCancel={() => setOpen(false)} okText={t('health.orders.submit')} okButtonProps={{ loading: saving, 'data-testid': 'open-order-submit' } as never} onOk={() => form.submit()} destroyOnHidden>
        <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ cause: 'fault' }}>
          <Form.Item name="cameraId" label={t('health.camera')} rules={[{ required: true }]}>
            <Select
              data-testid="open-order-camera"
              showSearch
              optionFilterProp="label"
              placeholder={t('health.orders.pickCamera')}
              options={cameras.map((c) => ({ value: c.id, label: `${c.name} (${c.gbId})` }))}
            />
          </Form.Item>
          <Form.Item name="cause" label={t('health.orders.cause')} rules={[{ required: true }]}>
            <Select data-testid="open-order-cause" options={WORK_ORDER_CAUSES.map((c) => ({ value: c, label: t(`health.orders.causes.${c}`) }))} />
          </Form.Item>
          <Form.Item name="note" label={t('health.orders.note')}>
            <Input.TextArea data-testid="open-order-note" rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
