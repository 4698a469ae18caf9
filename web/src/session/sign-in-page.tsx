// Sign-in: login name, password and, for an account with a second factor, the 6-digit code, all
// at once. Every failure gets one message (issue 14): the server never says which part was wrong
// or whether the account has a second factor; too many failures from here say when to try again.
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi } from '../api/access';
import { ApiError } from '../api/client';
import { setLanguage, type Language } from '../i18n';
import { useSession } from './session';

interface Values {
  login: string;
  password: string;
  totp?: string;
}

export function signInMessage(e: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (!(e instanceof ApiError)) return String((e as Error)?.message ?? e);
  if (e.code === 'RATE_LIMITED') return t('signIn.throttled', { seconds: /(\d+) s/.exec(e.message)?.[1] ?? '?' });
  if (e.code === 'UNAUTHENTICATED') return t('signIn.failed');
  if (e.code === 'NETWORK') return t('signIn.unreachable');
  return `${e.message} (${e.code})`;
}

export function SignInPage() {
  const { t, i18n } = useTranslation();
  const { state, accept } = useSession();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const reason = state.status === 'signed-out' ? state.reason : undefined;

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      accept(await accessApi.auth.login({ login: v.login, password: v.password, totp: v.totp ? v.totp : undefined }));
    } catch (e) {
      setError(signInMessage(e, t));
      form.setFieldValue('totp', '');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }} data-testid="sign-in">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'start' }}>
          <Typography.Title level={4} style={{ marginTop: 0 }}>Vigil {t('app.name')}</Typography.Title>
        </div>
        <Segmented<Language>
          size="small"
          aria-label={t('app.language')}
          style={{ marginBottom: 16 }}
          value={i18n.language === 'en' ? 'en' : 'zh'}
          options={[{ label: '中文', value: 'zh' }, { label: 'English', value: 'en' }]}
          onChange={(v) => void setLanguage(v)}
        />
        {reason === 'expired' && !error && <Alert type="warning" showIcon message={t('signIn.expired')} style={{ marginBottom: 16 }} data-testid="session-expired" />}
        {reason === 'signed-out' && !error && <Alert type="info" showIcon message={t('signIn.signedOut')} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="sign-in-error" />}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item name="login" label={t('signIn.login')} rules={[{ required: true, message: t('form.required') }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true, message: t('form.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            name="totp"
            label={t('signIn.codeOptional')}
            extra={t('signIn.codeHelp')}
            rules={[{ pattern: /^\d{6}$/, message: t('signIn.codeFormat') }]}
          >
            <Input autoComplete="one-time-code" inputMode="numeric" maxLength={6} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="sign-in-submit">
            {t('signIn.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
