// The first thing an account does when an administrator set its password (issue 14): choose its
// own. Nothing else of the console opens until then; the server ends the account's other sessions.
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi } from '../api/access';
import { ApiError } from '../api/client';
import { useMe, useSession } from './session';

interface Values {
  current: string;
  next: string;
  repeat: string;
}

export function ChangePasswordPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { refresh, signOut } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      await accessApi.auth.changePassword(v.current, v.next);
      await refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) setError(t('changePassword.wrongCurrent'));
      else setError(e instanceof ApiError && e.status === 400 ? t('changePassword.rule') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 440 }} data-testid="change-password" title={t('changePassword.title')}>
        <Typography.Paragraph>{t('changePassword.why', { name: me.displayName })}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="change-password-error" />}
        <Form<Values> layout="vertical" onFinish={submit} disabled={busy} requiredMark={false}>
          <Form.Item name="current" label={t('changePassword.current')} rules={[{ required: true, message: t('form.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item name="next" label={t('changePassword.next')} extra={t('changePassword.rule')} rules={[{ required: true, min: 12, message: t('changePassword.rule') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="repeat"
            label={t('changePassword.repeat')}
            dependencies={['next']}
            rules={[
              { required: true, message: t('form.required') },
              ({ getFieldValue }) => ({ validator: (_r, v) => (v === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('changePassword.mismatch')))) }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="change-password-submit">{t('changePassword.submit')}</Button>
            <Button onClick={() => void signOut()}>{t('session.signOut')}</Button>
          </Space>
        </Form>
      </Card>
    </div>
  );
}
