// Grant one more role to an account, over an organisation's subtree or the whole platform.
import { Form, Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Organisation } from '../../api/types';
import { ACCOUNT_ROLES, usersApi, type AccountRole, type User } from '../../api/users';
import { useErrorReporter } from '../../common/error-report';
import { ScopeSelect, toOrganisationId } from './scope-select';

interface Values {
  role: AccountRole;
  scope: number;
}

export function GrantForm(props: { user: User | undefined; organisations: readonly Organisation[]; onClose(): void; onSaved(u: User): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (props.user) {
      form.resetFields();
      if (props.user.organisationId !== null) form.setFieldsValue({ scope: props.user.organisationId });
    }
  }, [props.user, form]);

  const submit = async (v: Values) => {
    if (!props.user) return;
    setSaving(true);
    try {
      props.onSaved(await usersApi.grant(props.user.id, v.role, toOrganisationId(v.scope)));
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={!!props.user}
      title={t('users.grantTitle', { name: props.user?.displayName ?? '' })}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      okText={t('users.grant')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'grant-save' } as Record<`data-${string}`, string>}
    >
      <Form<Values> form={form} name="grant" layout="vertical" onFinish={submit} data-testid="grant-form">
        <Form.Item name="role" label={t('users.role')} rules={[{ required: true, message: t('form.required') }]}>
          <Select data-testid="grant-role" options={ACCOUNT_ROLES.map((r) => ({ value: r, label: t(`enum.accountRole.${r}`) }))} />
        </Form.Item>
        <Form.Item name="scope" label={t('users.scope')} extra={t('users.scopeHint')} rules={[{ required: true, message: t('form.required') }]}>
          <ScopeSelect organisations={props.organisations} platformWide testId="grant-scope" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
