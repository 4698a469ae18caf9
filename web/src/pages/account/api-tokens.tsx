// One's own API tokens for machine clients: some of one's permissions over one subtree, for a
// limited time. The secret is shown once; revoking ends the token at once.
import { Button, Form, Input, InputNumber, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useFeedback } from '../../common/feedback';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi, type ApiToken, type Permission } from '../../api/users';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { useOrganisations } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { useMe } from '../../session/session';
import { ScopeSelect, toOrganisationId } from '../users/scope-select';

interface Values {
  name: string;
  permissions: Permission[];
  scope: number;
  expiresInDays: number;
}

export function ApiTokens() {
  const { t } = useTranslation();
  const { message } = useFeedback();
  const report = useErrorReporter();
  const me = useMe();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const tokens = useAsync(() => usersApi.tokens.list().then((r) => r.items), []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();
  const [form] = Form.useForm<Values>();
  const date = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleString());

  const submit = async (v: Values) => {
    try {
      const r = await usersApi.tokens.create({ name: v.name, permissions: v.permissions, organisationId: toOrganisationId(v.scope), expiresInDays: v.expiresInDays });
      setCreating(false);
      setSecret(r.token);
      tokens.reload();
    } catch (e) {
      report(e, form);
    }
  };

  return (
    <>
      <Table<ApiToken>
        rowKey="id"
        size="small"
        data-testid="token-table"
        loading={tokens.loading}
        dataSource={tokens.data ?? []}
        pagination={false}
        columns={[
          { title: t('tokens.name'), dataIndex: 'name' },
          { title: t('tokens.permissions'), dataIndex: 'permissions', render: (ps: string[]) => ps.map((p) => <Tag key={p}>{t(`error.permissions.${p}`, { defaultValue: p })}</Tag>) },
          { title: t('users.scope'), dataIndex: 'organisationId', render: (id: number | null) => (id === null ? t('users.wholePlatform') : orgName(orgs.byId.get(id), `#${id}`)) },
          { title: t('tokens.expires'), dataIndex: 'expiresAt', render: date },
          { title: t('tokens.lastUsed'), dataIndex: 'lastUsedAt', render: date },
          {
            title: t('users.actions'),
            key: 'a',
            render: (_: unknown, tk) =>
              tk.revokedAt !== null ? (
                <Tag>{t('tokens.revoked')}</Tag>
              ) : (
                <Popconfirm title={t('tokens.revokeConfirm', { name: tk.name })} okText={t('tokens.revoke')} cancelText={t('common.cancel')} onConfirm={() => void usersApi.tokens.revoke(tk.id).then(() => { void message.success(t('tokens.revokedOne')); tokens.reload(); }, (e: unknown) => report(e))}>
                  <Button size="small" danger>{t('tokens.revoke')}</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Button style={{ marginTop: 12 }} onClick={() => { form.resetFields(); form.setFieldsValue({ expiresInDays: 30, scope: me.organisationId ?? undefined }); setCreating(true); }} data-testid="new-token">
        {t('tokens.new')}
      </Button>
      <Modal open={creating} title={t('tokens.new')} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={t('tokens.create')} cancelText={t('common.cancel')}>
        <Form<Values> form={form} layout="vertical" onFinish={submit}>
          <Form.Item name="name" label={t('tokens.name')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="permissions" label={t('tokens.permissions')} rules={[{ required: true, message: t('form.required') }]}>
            <Select mode="multiple" options={me.permissions.map((p) => ({ value: p, label: t(`error.permissions.${p}`, { defaultValue: p }) }))} />
          </Form.Item>
          <Form.Item name="scope" label={t('users.scope')} rules={[{ required: true, message: t('form.required') }]}>
            <ScopeSelect organisations={orgs.all} platformWide />
          </Form.Item>
          <Form.Item name="expiresInDays" label={t('tokens.days')} rules={[{ required: true, message: t('form.required') }]}>
            <InputNumber min={1} max={366} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!secret} title={t('tokens.secretTitle')} onOk={() => setSecret(undefined)} onCancel={() => setSecret(undefined)} cancelButtonProps={{ style: { display: 'none' } }} okText={t('users.passwordNoted')}>
        <Typography.Paragraph>{t('tokens.secretOnce')}</Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: secret ?? '' }}>
          <Typography.Text code data-testid="token-secret">{secret}</Typography.Text>
        </Typography.Paragraph>
      </Modal>
    </>
  );
}
