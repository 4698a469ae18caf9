// Filing notice of a camera's removal or relocation (R7.3): the server judges it against the
// notice period of the camera's profile (AH-15 10 days, HB-11 and HRB-19 30 days) and raises a
// late-notice alarm when it falls short.
import { Button, Form, InputNumber, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../api/types';
import { useErrorReporter } from '../../common/error-report';
import { healthApi } from './health-api';

const DAY = 86_400_000;

interface Values {
  cameraId: number;
  kind: 'removal' | 'relocation';
  days: number;
}

export function FileNotice({ cameras, onFiled }: { cameras: Camera[]; onFiled(): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<Values>();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);

  const submit = async (v: Values) => {
    setSaving(true);
    try {
      await healthApi.fileNotice(v.cameraId, v.kind, Date.now() + v.days * DAY);
      setOpen(false);
      form.resetFields();
      onFiled();
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Button type="primary" size="small" data-testid="file-notice" onClick={() => setOpen(true)}>{t('health.notices.file')}</Button>
      <Modal open={open} title={t('health.notices.fileTitle')} onCancel={() => setOpen(false)} okText={t('health.notices.submit')} okButtonProps={{ loading: saving, 'data-testid': 'file-notice-submit' } as never} onOk={() => form.submit()} destroyOnHidden>
        <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'relocation', days: 30 }}>
          <Form.Item name="cameraId" label={t('health.camera')} rules={[{ required: true }]}>
            <Select data-testid="file-notice-camera" showSearch optionFilterProp="label" placeholder={t('health.orders.pickCamera')} options={cameras.map((c) => ({ value: c.id, label: `${c.name} (${c.gbId})` }))} />
          </Form.Item>
          <Form.Item name="kind" label={t('health.notices.kind')} rules={[{ required: true }]}>
            <Select data-testid="file-notice-kind" options={(['relocation', 'removal'] as const).map((k) => ({ value: k, label: t(`health.notices.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="days" label={t('health.notices.daysAhead')} rules={[{ required: true }]}>
            <InputNumber data-testid="file-notice-days" min={1} max={3650} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
