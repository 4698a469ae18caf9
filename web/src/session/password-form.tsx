// Choosing one's own password: the forced first change after an administrator set it, and the
// change anyone may make from their account page. The server ends one's other sessions and tokens.
import { Alert, Button, Form, Input, Space } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi } from '../api/access';
import { ApiError } from '../api/client';
import { errorText } from '../common/error-report';

interface Values {
  current: string;
  next: string;
  repeat: string;
}

export function PasswordForm(props: { forced: boolean; onDone(): Promise<void> | void; extraButtons?: ReactNode }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      await accessApi.auth.changePassword(v.current, v.next);
      form.resetFields();
      await props.onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) setError(t(props.forced ? 'changePassword.wrongCurrent' : 'changePassword.wrongOwn'));
      else if (e instanceof ApiError && e.status === 400) setError(t('changePassword.rule'));
      else setError(e instanceof ApiError ? errorText(t, e) : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="change-password-error" />}
      <Form<Values> form={form} layout="vertical" onFinish={submit} disabled={busy} requiredMark={false}>
        <Form.Item name="current" label={t(props.forced ? 'changePassword.current' : 'changePassword.currentOwn')} rules={[{ required: true, message: t('form.required') }]}>
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
          <Button type="primary" htmlType="submit" loading={busy} data-testid="change-password-submit">{t(props.forced ? 'changePassword.submit' : 'changePassword.submitOwn')}</Button>
          {props.extraButtons}
        </Space>
      </Form>
    </>
  );
}
