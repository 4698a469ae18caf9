// The first thing an account does when an administrator set its password (issue 14): choose its
// own. Nothing else of the console opens until then; the server ends the account's other sessions.
import { Button, Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { PasswordForm } from './password-form';
import { useMe, useSession } from './session';

export function ChangePasswordPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { refresh, signOut } = useSession();
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 440 }} data-testid="change-password" title={t('changePassword.title')}>
        <Typography.Paragraph>{t('changePassword.why', { name: me.displayName })}</Typography.Paragraph>
        <PasswordForm forced onDone={refresh} extraButtons={<Button onClick={() => void signOut()}>{t('session.signOut')}</Button>} />
      </Card>
    </div>
  );
}
