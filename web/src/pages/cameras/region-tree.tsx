import { Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Organisation } from '../../api/types';
import { useOrgName } from '../../common/names';
import { buildOrgTree, type OrgTreeNode } from '../../common/reference-data';

/** The platforms (regions) as a tree; choosing one limits the cameras to its subtree. */
export function RegionTree({ platforms, value, onChange }: { platforms: Organisation[]; value?: number; onChange(id: number | undefined): void }) {
  const { t } = useTranslation();
  const orgName = useOrgName();
  const treeData = useMemo(() => {
    const toNode = (n: OrgTreeNode): TreeDataNode => ({
      key: n.org.id,
      title: (
        <span>
          {orgName(n.org)}
          {n.org.level && <Typography.Text type="secondary"> · {t(`enum.level.${n.org.level}`)}</Typography.Text>}
        </span>
      ),
      children: n.children.map(toNode),
    });
    return buildOrgTree(platforms).map(toNode);
  }, [platforms, orgName, t]);
  if (!platforms.length) return <Typography.Text type="secondary">{t('cameras.noRegions')}</Typography.Text>;
  return (
    <Tree
      data-testid="region-tree"
      blockNode
      defaultExpandAll
      treeData={treeData}
      selectedKeys={value !== undefined ? [value] : []}
      onSelect={(keys) => onChange(keys.length ? Number(keys[0]) : undefined)}
    />
  );
}
