// The people of the organisations one manages: create accounts (the person chooses their own
// password at first sign-in), disable them, reset a password, grant and revoke roles over an
// organisation's subtree. A role granted by the administrator who created the account waits for
// a second administrator's confirmation; the page shows it and offers the confirmation.
import { Button, Card, Input, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useFeedback } from '../../common/feedback';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi, type User, type UserGrant } from '../../api/users';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { useOrganisations } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { useMe } from '../../session/session';
import { GrantForm } from './grant-form';
import { OneTimePassword } from './one-time-password';
import { UserForm } from './user-form';

export default function UsersPage() {
  const { t } = useTranslation();
  const { message } = useFeedback();
  const report = useErrorReporter();
  const me = useMe();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const users = useAsync(() => usersApi.list().then((r) => r.items), []);
  const [creating, setCreating] = useState(false);
  const [granting, setGranting] = useState<User>();
  const [shown, setShown] = useState<{ name: string; password: string }>();
  const [filter, setFilter] = useState('');

  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      void message.success(done);
      users.reload();
    } catch (e) {
      report(e);
    }
  };

  const scopeName = (id: number | null) => (id === null ? t('users.wholePlatform') : orgName(orgs.byId.get(id), `#${id}`));

  const grantTag = (u: User, g: UserGrant) => (
    <Tag
      key={g.id}
      color={g.awaitingConfirmation ? 'orange' : 'blue'}
      data-testid={`grant-${u.login}-${g.role}`}
      closable={u.id !== me.userId}
      onClose={(e) => {
        e.preventDefault();
        void act(() => usersApi.revokeGrant(g.id), t('users.revoked', { role: t(`enum.accountRole.${g.role}`), name: u.displayName }));
      }}
    >
      {t(`enum.accountRole.${g.role}`)} · {scopeName(g.organisationId)}
      {g.awaitingConfirmation && (
        <Tooltip title={t('users.awaitingHint')}>
          {' '}
          <Typography.Link data-testid={`confirm-${u.login}-${g.role}`} onClick={() => void act(() => usersApi.confirmGrant(g.id), t('users.confirmed'))}>
            {t('users.confirm')}
          </Typography.Link>
        </Tooltip>
      )}
    </Tag>
  );

  const columns: ColumnsType<User> = [
    { title: t('users.login'), dataIndex: 'login', width: 140 },
    { title: t('users.displayName'), dataIndex: 'displayName', width: 140 },
    { title: t('users.workId'), dataIndex: 'workId', width: 110, render: (v: string | null) => v ?? '—' },
    { title: t('users.organisation'), dataIndex: 'organisationId', width: 160, render: (v: number | null) => scopeName(v) },
    { title: t('users.roles'), key: 'grants', render: (_: unknown, u) => (u.grants.length ? <Space size={[0, 4]} wrap>{u.grants.map((g) => grantTag(u, g))}</Space> : <Typography.Text type="secondary">{t('session.noRoles')}</Typography.Text>) },
    {
      title: t('users.status'),
      dataIndex: 'status',
      width: 120,
      render: (s: User['status'], u) => (
        <Space size={4} wrap>
          <Tag color={s === 'active' ? 'green' : 'default'}>{t(`users.statuses.${s}`)}</Tag>
          {u.totpEnrolled && <Tag>{t('users.totp')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('users.actions'),
      key: 'actions',
      width: 260,
      render: (_: unknown, u) =>
        u.id === me.userId ? (
          <Typography.Text type="secondary">{t('users.yourself')}</Typography.Text>
        ) : (
          <Space size={4} wrap>
            <Button size="small" onClick={() => setGranting(u)} data-testid={`grant-${u.login}`}>{t('users.grant')}</Button>
            <Popconfirm
              title={t('users.resetConfirm', { name: u.displayName })}
              okText={t('users.reset')}
              okButtonProps={{ 'data-testid': `reset-ok-${u.login}` } as Record<`data-${string}`, string>}
              cancelText={t('common.cancel')}
              onConfirm={() =>
                void usersApi.resetPassword(u.id).then(
                  (r) => {
                    if (r.password) setShown({ name: u.displayName, password: r.password });
                    users.reload();
                  },
                  (e: unknown) => report(e),
                )
              }
            >
              <Button size="small" data-testid={`reset-${u.login}`}>{t('users.reset')}</Button>
            </Popconfirm>
            {u.status === 'active' ? (
              <Popconfirm
                title={t('users.disableConfirm', { name: u.displayName })}
                okText={t('users.disable')}
                okButtonProps={{ 'data-testid': `disable-ok-${u.login}` } as Record<`data-${string}`, string>}
                cancelText={t('common.cancel')}
                onConfirm={() => void act(() => usersApi.update(u.id, { status: 'disabled' }), t('users.disabled', { name: u.displayName }))}
              >
                <Button size="small" danger data-testid={`disable-${u.login}`}>{t('users.disable')}</Button>
              </Popconfirm>
            ) : (
              <Button size="small" onClick={() => void act(() => usersApi.update(u.id, { status: 'active' }), t('users.enabled', { name: u.displayName }))} data-testid={`enable-${u.login}`}>
                {t('users.enable')}
              </Button>
            )}
          </Space>
        ),
    },
  ];

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const all = users.data ?? [];
    return q ? all.filter((u) => [u.login, u.displayName, u.workId ?? ''].some((s) => s.toLowerCase().includes(q))) : all;
  }, [users.data, filter]);

  return (
    <Card
      size="small"
      title={t('users.title')}
      extra={
        <Space>
          <Input.Search allowClear placeholder={t('users.search')} onChange={(e) => setFilter(e.target.value)} style={{ width: 220 }} />
          <Button type="primary" onClick={() => setCreating(true)} data-testid="new-user">{t('users.new')}</Button>
        </Space>
      }
    >
      <Table<User> rowKey="id" size="small" data-testid="user-table" loading={users.loading} columns={columns} dataSource={rows} pagination={{ pageSize: 20, hideOnSinglePage: true }} />
      <UserForm
        open={creating}
        organisations={orgs.all}
        onClose={() => setCreating(false)}
        onSaved={(u, password) => {
          setCreating(false);
          void message.success(t('users.created', { name: u.displayName }));
          if (password) setShown({ name: u.displayName, password });
          users.reload();
        }}
      />
      <GrantForm
        user={granting}
        organisations={orgs.all}
        onClose={() => setGranting(undefined)}
        onSaved={(u) => {
          setGranting(undefined);
          void message.success(t('users.granted', { name: u.displayName }));
          users.reload();
        }}
      />
      <OneTimePassword shown={shown} onClose={() => setShown(undefined)} />
    </Card>
  );
}
