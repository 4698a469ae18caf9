// A password the server generated is shown once: the administrator hands it over, and the person
// must replace it at their first sign-in.
import { Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export function OneTimePassword(props: { shown: { name: string; password: string } | undefined; onClose(): void }) {
  const { t } = useTranslation();
  return (
    <Modal open={!!props.shown} title={t('users.passwordTitle', { name: props.shown?.name ?? '' })} onOk={props.onClose} onCancel={props.onClose} cancelButtonProps={{ style: { display: 'none' } }} okText={t('users.passwordNoted')}>
      <Typography.Paragraph>{t('users.passwordOnce')}</Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: props.shown?.password ?? '' }}>
        <Typography.Text code style={{ fontSize: 18 }} data-testid="one-time-password">{props.shown?.password}</Typography.Text>
      </Typography.Paragraph>
    </Modal>
  );
}
