// Platforms by level with the units under each region. A unit's roles (builder, user, managing,
// maintainer) say which duties it carries for the camera points it is named on.
import { Button, Card, Col, Descriptions, Empty, Row, Space, Tag, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Organisation } from '../../api/types';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { buildOrgTree, useOrganisations, type OrgTreeNode } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { OrganisationForm } from './organisation-form';

export default function OrganisationsPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  // Creating platforms and units is configuration (config:write); others see the tree only.
  const configures = holds(useMe(), 'config:write');
  const profiles = useAsync(() => api.profiles.list(), []);
  const [selected, setSelected] = useState<number>();
  const [creating, setCreating] = useState<'platform' | 'unit'>();
  const detail = useAsync(
    () => (selected === undefined ? Promise.resolve(undefined) : api.organisations.get(selected).catch((e: unknown) => { report(e); throw e; })),
    [selected, orgs.data],
  );

  const treeData = useMemo(() => {
    const toNode = (n: OrgTreeNode): TreeDataNode => ({
      key: n.org.id,
      title: (
        <span>
          {orgName(n.org)}{' '}
          {n.org.kind === 'platform' ? (
            <Tag color="blue">{n.org.level ? t(`enum.level.${n.org.level}`) : t('organisation.platform')}</Tag>
          ) : (
            n.org.unitRoles.map((r) => <Tag key={r}>{t(`enum.role.${r}`)}</Tag>)
          )}
        </span>
      ),
      children: n.children.map(toNode),
    });
    return buildOrgTree(orgs.all).map(toNode);
  }, [orgs.all, orgName, t]);

  const sel: (Organisation & { effectiveProfileId?: string }) | undefined = detail.data ?? (selected !== undefined ? orgs.byId.get(selected) : undefined);
  const selectedPlatform = sel?.kind === 'platform' ? sel.id : sel?.parentId ?? undefined;

  return (
    <Row gutter={16}>
      <Col xs={24} lg={14}>
        <Card
          size="small"
          title={t('organisations.title')}
          extra={
            configures && (
              <Space>
                <Button type="primary" onClick={() => setCreating('platform')} data-testid="org-new-platform">{t('organisations.newPlatform')}</Button>
                <Button onClick={() => setCreating('unit')} data-testid="org-new-unit" disabled={!orgs.platforms.length}>{t('organisations.newUnit')}</Button>
              </Space>
            )
          }
        >
          {orgs.all.length ? (
            <Tree data-testid="organisation-tree" blockNode defaultExpandAll key={orgs.all.length} treeData={treeData} selectedKeys={selected !== undefined ? [selected] : []} onSelect={(k) => setSelected(k.length ? Number(k[0]) : undefined)} />
          ) : (
            <Empty description={t('organisations.empty')} />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card size="small" title={sel ? orgName(sel) : t('organisations.details')}>
          {sel ? (
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('organisation.kind')}>{t(`organisation.${sel.kind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('organisation.name')}>{sel.name}</Descriptions.Item>
              <Descriptions.Item label={t('organisation.nameEn')}>{sel.nameEn ?? '—'}</Descriptions.Item>
              {sel.kind === 'platform' ? (
                <Descriptions.Item label={t('organisation.level')}>{sel.level ? t(`enum.level.${sel.level}`) : '—'}</Descriptions.Item>
              ) : (
                <Descriptions.Item label={t('organisation.unitRoles')}>{sel.unitRoles.map((r) => <Tag key={r}>{t(`enum.role.${r}`)}</Tag>)}</Descriptions.Item>
              )}
              <Descriptions.Item label={t('organisation.parent')}>{sel.parentId != null ? orgName(orgs.byId.get(sel.parentId), String(sel.parentId)) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('organisation.regionCode')}>{sel.regionCode ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('organisation.profile')}>
                {sel.profileId ?? (sel.effectiveProfileId ? <Typography.Text type="secondary">{t('organisations.inherited', { id: sel.effectiveProfileId })}</Typography.Text> : '—')}
              </Descriptions.Item>
              <Descriptions.Item label={t('organisation.gbId')}>{sel.gbId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('organisation.contact')}>{sel.contact ?? '—'}</Descriptions.Item>
            </Descriptions>
          ) : (
            <Typography.Text type="secondary">{t('organisations.pick')}</Typography.Text>
          )}
        </Card>
      </Col>
      <OrganisationForm
        kind={creating}
        parentId={selectedPlatform}
        platforms={orgs.platforms}
        profiles={profiles.data?.items ?? []}
        onClose={() => setCreating(undefined)}
        onSaved={(o) => {
          setCreating(undefined);
          setSelected(o.id);
          orgs.reload();
        }}
      />
    </Row>
  );
}
