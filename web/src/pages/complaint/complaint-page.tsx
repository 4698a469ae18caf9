// The public complaint form (检举、控告, CN-25): anyone, without signing in, may report misconduct
// of the supervisors; a link with ?region=<id> sends it to that region's supervising unit.
import { Alert, Button, Card, Form, Input, Result, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { LanguageSwitch } from '../../shell/language-switch';
import { supervisionApi } from '../systems/supervision-api';

interface Fields { about: string; text: string; name?: string; contact?: string }

export default function ComplaintPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<Fields>();
  const [done, setDone] = useState<{ id: number; articles: string[] } | null>(null);
  const region = Number(new URLSearchParams(window.location.search).get('region')) || null;

  const submit = async (v: Fields) => {
    try {
      setDone(await supervisionApi.complaints.submit({ regionId: region, ...v }));
    } catch (e) {
      report(e, form);
    }
  };

  return (
    <div style={{ maxWidth: 640, margin: '40px auto', padding: 16 }}>
      <Card title={t('supervision.complaint.title')} extra={<LanguageSwitch />}>
        {done ? (
          <div data-testid="complaint-received"><Result status="success" title={t('supervision.complaint.received', { id: done.id })} subTitle={done.articles.join(', ')} /></div>
        ) : (
          <>
            <Typography.Paragraph>{t('supervision.complaint.help')}</Typography.Paragraph>
            {region === null && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('supervision.complaint.noRegion')} />}
            <Form form={form} layout="vertical" onFinish={submit}>
              <Form.Item name="about" label={t('supervision.complaint.about')} rules={[{ required: true, max: 200 }]}><Input data-testid="complaint-about" /></Form.Item>
              <Form.Item name="text" label={t('supervision.complaint.text')} rules={[{ required: true, max: 8000 }]}><Input.TextArea data-testid="complaint-text" rows={6} /></Form.Item>
              <Form.Item name="name" label={t('supervision.complaint.name')}><Input /></Form.Item>
              <Form.Item name="contact" label={t('supervision.complaint.contact')}><Input /></Form.Item>
              <Button type="primary" htmlType="submit" data-testid="complaint-submit">{t('supervision.complaint.submit')}</Button>
            </Form>
          </>
        )}
      </Card>
    </div>
  );
}
