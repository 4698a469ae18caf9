// One's own account, open to everyone signed in: change the password, and one's API tokens.
import { Card, Col, Descriptions, Row } from 'antd';
import { useFeedback } from '../../common/feedback';
import { useTranslation } from 'react-i18next';
import { PasswordForm } from '../../session/password-form';
import { useMe } from '../../session/session';
import { ApiTokens } from './api-tokens';

export default function AccountPage() {
  const { t } = useTranslation();
  const { message } = useFeedback();
  const me = useMe();
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={10}>
        <Card size="small" title={t('account.title')} data-testid="account">
          <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('users.login')}>{me.login}</Descriptions.Item>
            <Descriptions.Item label={t('users.displayName')}>{me.displayName}</Descriptions.Item>
            <Descriptions.Item label={t('users.workId')}>{me.workId ?? '—'}</Descriptions.Item>
          </Descriptions>
          <PasswordForm forced={false} onDone={() => void message.success(t('changePassword.done'))} />
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card size="small" title={t('tokens.title')}>
          <ApiTokens />
        </Card>
      </Col>
    </Row>
  );
}
