import { Empty, Layout, Menu, Spin, Typography } from 'antd';
import { LanguageSwitch } from './language-switch';
import { TodoBadge } from './todo-badge';
import { UserMenu } from './user-menu';
import { LegalStandingBanner } from './legal-standing-banner';
import type { MenuProps } from 'antd';
import { Suspense, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api, request } from '../api/client';
import { useMe } from '../session/session';
import { ACCOUNT_NAV, DEFAULT_PATH, findNavItem, visibleNav } from './nav';
import { navigate, usePath } from './router';

const { Header, Sider, Content } = Layout;

/** What the header asks for at its first paint (the to-do badge, the legal standing banner), begun early. */
export function shellFirstReads(): void {
  void request('GET', '/todo');
  void api.profiles.list();
}

export function Shell() {
  const { t } = useTranslation();
  const path = usePath();
  const me = useMe();
  const nav = useMemo(() => visibleNav(me.permissions), [me.permissions]);
  // One who only decides (requests, and the shares an approver grants) starts where the requests
  // are, not on the organisation tree.
  const decidesOnly = me.permissions.includes('access-request:approve') && me.permissions.every((p) => p === 'access-request:approve' || p === 'share:grant');
  const home = decidesOnly ? '/access-requests' : (nav.flatMap((g) => g.items).find((i) => i.page)?.path ?? DEFAULT_PATH);
  useEffect(() => {
    if (path === '/' || path === '') navigate(home, true);
  }, [path, home]);
  const current = findNavItem(path, nav) ?? findNavItem(path, [ACCOUNT_NAV]);

  useEffect(() => {
    document.title = `${current ? `${t(current.label)} · ` : ''}Vigil ${t('app.name')}`;
  }, [current, t]);

  // Made again only when the language or the permissions change, not at each page change.
  const items: MenuProps['items'] = useMemo(() => nav.map((g) => ({
    type: 'group',
    key: g.key,
    label: t(g.label),
    children: g.items.map((i) => ({
      key: i.key,
      disabled: !i.page,
      title: i.page ? undefined : t('nav.comingSoon'),
      label: i.page ? (
        <a href={i.path} onClick={(e) => { e.preventDefault(); navigate(i.path); }}>{t(i.label)}</a>
      ) : (
        t(i.label)
      ),
    })),
  })), [nav, t]);

  const Page = current?.page;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 24 }}>
        <Typography.Title level={4} style={{ color: '#fff', margin: 0, whiteSpace: 'nowrap' }} data-testid="product-name">
          Vigil {t('app.name')}
        </Typography.Title>
        <div style={{ flex: 1 }} />
        <LanguageSwitch />
        <TodoBadge />
        <UserMenu />
      </Header>
      <Layout>
        <Sider width={208} theme="light" breakpoint="lg" collapsedWidth={0}>
          {/* The menu is never collapsed to icons (below lg it is hidden), so its items need no
              tooltips: thirteen fewer tooltips, triggers and observers at every first paint. */}
          <Menu mode="inline" selectedKeys={current ? [current.key] : []} items={items} style={{ height: '100%', borderInlineEnd: 0 }} data-testid="side-menu" _internalDisableMenuItemTitleTooltip />
        </Sider>
        <Content style={{ padding: 16, minWidth: 0 }}>
          <LegalStandingBanner />
          {Page ? (
            <Suspense fallback={<Spin style={{ display: 'block', marginTop: 80 }} />}>
              <Page />
            </Suspense>
          ) : current ? (
            // Not antd's Result: its module carries the 403/404/500 illustrations, about 30 kB of
            // script every signed-in page would fetch and run for a state no menu entry is in today.
            <Empty description={`${t(current.label)} · ${t('nav.comingSoon')}`} />
          ) : path === '/' ? null : (
            <Empty description={t('nav.notFound')} />
          )}
        </Content>
      </Layout>
    </Layout>
  );
}
