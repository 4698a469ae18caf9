// The header's corner: who is signed in, in which organisation, with which roles; sign-out.
import { Button, Dropdown, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { useOrgName } from '../common/names';
import { useAsync } from '../common/use-async';
import { useMe, useSession } from '../session/session';
import { navigate } from './router';

export function UserMenu() {
  const { t } = useTranslation();
  const me = useMe();
  const { signOut } = useSession();
  const orgName = useOrgName();
  const org = useAsync(() => (me.organisationId ? api.organisations.get(me.organisationId) : Promise.resolve(undefined)), [me.organisationId]);
  const roles = [...new Set(me.roles.map((r) => t(`enum.accountRole.${r.role}`)))].join(' · ');
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'roles', disabled: true, label: <span data-testid="current-roles">{roles || t('session.noRoles')}</span> },
          ...(me.workId ? [{ key: 'work', disabled: true, label: `${t('session.workId')}: ${me.workId}` }] : []),
          { type: 'divider' as const },
          { key: 'account', label: <span data-testid="my-account">{t('nav.account')}</span>, onClick: () => navigate('/account') },
          { key: 'out', label: <span data-testid="sign-out">{t('session.signOut')}</span>, onClick: () => void signOut() },
        ],
      }}
    >
      <Button type="text" style={{ color: '#fff', height: 'auto' }} data-testid="current-user">
        <Space size={6}>
          <span>{me.displayName}</span>
          {org.data && <Typography.Text style={{ color: 'rgba(255,255,255,0.65)' }} data-testid="current-organisation">{orgName(org.data)}</Typography.Text>}
        </Space>
      </Button>
    </Dropdown>
  );
}
