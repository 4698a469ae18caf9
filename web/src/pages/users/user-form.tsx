// Create an account: who it is, where it belongs, the first role and where that role reaches. The
// password is generated unless typed; either way the person must choose their own at first sign-in.
import { Alert, Button, Drawer, Form, Input, Select, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Organisation } from '../../api/types';
import { ACCOUNT_ROLES, usersApi, type AccountRole, type User } from '../../api/users';
import { useErrorReporter } from '../../common/error-report';
import { ScopeSelect, toOrganisationId } from './scope-select';

interface Values {
  login: string;
  displayName: string;
  workId?: string;
  organisationId?: number;
  password?: string;
  role?: AccountRole;
  scope?: number;
}

export function UserForm(props: { open: boolean; organisations: readonly Organisation[]; onClose(): void; onSaved(user: User, password: string | null): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const role = Form.useWatch('role', form);

  useEffect(() => {
    if (props.open) form.resetFields();
  }, [props.open, form]);

  const submit = async (v: Values) => {
    setSaving(true);
    try {
      const created = await usersApi.create({
        login: v.login.trim(),
        displayName: v.displayName.trim(),
        workId: v.workId?.trim() || null,
        organisationId: toOrganisationId(v.organisationId),
        ...(v.password ? { password: v.password } : {}),
      });
      let user = created.user;
      // The account exists now; a refused grant is reported and the account stays, without the role.
      if (v.role) {
        try {
          user = await usersApi.grant(user.id, v.role, toOrganisationId(v.scope ?? v.organisationId));
        } catch (e) {
          report(e);
        }
      }
      props.onSaved(user, created.password);
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      width={480}
      title={t('users.new')}
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="user-save">{t('common.save')}</Button>
        </Space>
      }
    >
      <Form<Values> form={form} name="user" layout="vertical" onFinish={submit} data-testid="user-form" requiredMark>
        <Form.Item name="login" label={t('users.login')} extra={t('users.loginRule')} rules={[{ required: true, message: t('form.required') }, { pattern: /^[A-Za-z0-9._-]{2,64}$/, message: t('users.loginRule') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="workId" label={t('users.workId')}>
          <Input />
        </Form.Item>
        <Form.Item name="organisationId" label={t('users.organisation')} rules={[{ required: true, message: t('form.required') }]}>
          <ScopeSelect organisations={props.organisations} testId="user-organisation" />
        </Form.Item>
        <Form.Item name="password" label={t('users.initialPassword')} extra={t('users.initialPasswordHint')} rules={[{ min: 12, message: t('changePassword.rule') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')}>
          <Select allowClear data-testid="user-role" options={ACCOUNT_ROLES.map((r) => ({ value: r, label: t(`enum.accountRole.${r}`) }))} />
        </Form.Item>
        {role && (
          <Form.Item name="scope" label={t('users.scope')} extra={t('users.scopeHint')}>
            <ScopeSelect organisations={props.organisations} platformWide testId="user-scope" />
          </Form.Item>
        )}
        <Alert type="info" showIcon message={t('users.mustChange')} />
      </Form>
    </Drawer>
  );
}
