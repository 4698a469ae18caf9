// Second-factor enrolment, required for approvers and administrators before anything else: the
// secret as an otpauth:// URI (text and QR code) and in groups of four to type by hand, then the
// first code from the app to prove it works.
import { Alert, Button, Card, Form, Input, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi } from '../api/access';
import { ApiError } from '../api/client';
import { QrCode } from './qr-code';
import { useMe, useSession } from './session';

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP". */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

export function EnrolPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { refresh, signOut } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    accessApi.auth.enrolTotp().then(setEnrolment, (e: unknown) => setError((e as Error).message));
  }, []);

  const confirm = async ({ code }: { code: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await accessApi.auth.confirmTotp(code);
      await refresh();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 400 ? t('enrol.wrongCode') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 520 }} data-testid="enrol" title={t('enrol.title')}>
        <Typography.Paragraph>{t('enrol.why', { name: me.displayName })}</Typography.Paragraph>
        {!enrolment && !error && <Spin />}
        {enrolment && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <div style={{ display: 'flex', justifyContent: 'center' }}>
              <QrCode text={enrolment.uri} size={220} label={t('enrol.qr')} />
            </div>
            <Typography.Text type="secondary">{t('enrol.secret')}</Typography.Text>
            <Typography.Text code copyable={{ text: enrolment.secret }} data-testid="totp-secret" style={{ fontSize: 16, letterSpacing: 1 }}>
              {groupSecret(enrolment.secret)}
            </Typography.Text>
            <Typography.Text type="secondary">{t('enrol.uri')}</Typography.Text>
            <Typography.Paragraph copyable code data-testid="totp-uri" style={{ wordBreak: 'break-all' }}>
              {enrolment.uri}
            </Typography.Paragraph>
          </Space>
        )}
        {error && <Alert type="error" showIcon message={error} style={{ marginBlock: 12 }} data-testid="enrol-error" />}
        <Form layout="vertical" onFinish={confirm} disabled={!enrolment || busy} requiredMark={false}>
          <Form.Item name="code" label={t('enrol.code')} rules={[{ required: true, pattern: /^\d{6}$/, message: t('signIn.codeFormat') }]}>
            <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="enrol-submit">{t('enrol.confirm')}</Button>
            <Button onClick={() => void signOut()}>{t('session.signOut')}</Button>
          </Space>
        </Form>
      </Card>
    </div>
  );
}
