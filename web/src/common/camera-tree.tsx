// The camera tree of the video wall and the request form: by region, by unit or by GB/T 28181
// group, with each camera's status and a search over names. Cameras can be dragged (onto a wall
// tile) or checked (into a request).
import { Badge, Input, Segmented, Space, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera, Organisation } from '../api/types';
import type { CameraCatalogue } from './camera-catalogue';
import { useOrgName } from './names';
import { buildOrgTree, type OrgTreeNode } from './reference-data';

export type TreeMode = 'region' | 'unit' | 'group';
export const CAMERA_DRAG_TYPE = 'application/x-vigil-camera';

const STATUS_BADGE: Record<string, 'success' | 'error' | 'warning' | 'default'> = {
  in_service: 'success',
  fault: 'error',
  suspended: 'warning',
};

/** Tree keys: "c:<id>" a camera, "o:<id>" an organisation, "g:<id>" a group. */
export function cameraIdOfKey(key: string | number | bigint): number | undefined {
  const m = /^c:(\d+)$/.exec(String(key));
  return m ? Number(m[1]) : undefined;
}

interface Props {
  catalogue: CameraCatalogue;
  /** Live state per camera where known (the wall), otherwise the registry status is shown. */
  live?: Map<number, boolean>;
  checkable?: boolean;
  checked?: number[];
  onCheck?(ids: number[]): void;
  draggable?: boolean;
  onOpen?(camera: Camera): void;
  height?: number;
}

export function CameraTree({ catalogue, live, checkable, checked, onCheck, draggable, onOpen, height = 520 }: Props) {
  const { t } = useTranslation();
  const orgName = useOrgName();
  const [mode, setMode] = useState<TreeMode>('region');
  const [search, setSearch] = useState('');

  const treeData = useMemo(() => {
    const q = search.trim().toLowerCase();
    const match = (c: Camera) => !q || c.name.toLowerCase().includes(q) || c.gbId.toLowerCase().includes(q);
    const cameraNode = (c: Camera): TreeDataNode => {
      const on = live?.get(c.id);
      const status = on === undefined ? (STATUS_BADGE[c.status] ?? 'default') : on ? 'success' : 'default';
      const title: ReactNode = (
        <span
          data-testid={`tree-camera-${c.id}`}
          draggable={draggable}
          onDragStart={draggable ? (e) => e.dataTransfer.setData(CAMERA_DRAG_TYPE, String(c.id)) : undefined}
          onDoubleClick={onOpen ? () => onOpen(c) : undefined}
        >
          <Badge status={status} /> {c.name}
        </span>
      );
      return { key: `c:${c.id}`, title, isLeaf: true };
    };
    const cameras = catalogue.cameras.filter(match);
    const withCameras = (nodes: TreeDataNode[]) => nodes.filter((n) => (n.children?.length ?? 0) > 0);

    if (mode === 'group') {
      const groupNodes = catalogue.groups.map((g) => ({
        key: `g:${g.id}`,
        title: g.name,
        children: g.cameraIds.map((id) => catalogue.byId.get(id)).filter((c): c is Camera => !!c && match(c)).map(cameraNode),
      }));
      return withCameras(groupNodes);
    }
    const field: keyof Camera = mode === 'region' ? 'regionId' : 'userUnitId';
    const orgs: Organisation[] = catalogue.organisations.filter((o) => (mode === 'region' ? o.kind === 'platform' : o.kind === 'unit'));
    // Organisations without any visible camera below them are left out.
    const toNode = (n: OrgTreeNode): TreeDataNode => ({
      key: `o:${n.org.id}`,
      title: orgName(n.org),
      children: [...withCameras(n.children.map(toNode)), ...cameras.filter((c) => c[field] === n.org.id).map(cameraNode)],
    });
    const roots = withCameras(buildOrgTree(orgs).map(toNode));
    const placed = new Set(orgs.map((o) => o.id));
    const elsewhere = cameras.filter((c) => c[field] === null || !placed.has(c[field] as number)).map(cameraNode);
    if (elsewhere.length) roots.push({ key: 'o:none', title: t('tree.unplaced'), children: elsewhere });
    return roots;
  }, [catalogue, mode, search, live, draggable, onOpen, orgName, t]);

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="camera-tree">
      <Segmented<TreeMode>
        block
        size="small"
        value={mode}
        onChange={setMode}
        options={[
          { value: 'region', label: t('tree.byRegion') },
          { value: 'unit', label: t('tree.byUnit') },
          { value: 'group', label: t('tree.byGroup'), disabled: catalogue.groups.length === 0 },
        ]}
      />
      <Input.Search allowClear placeholder={t('tree.search')} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="tree-search" />
      {treeData.length === 0 ? (
        <Typography.Text type="secondary">{t('tree.empty')}</Typography.Text>
      ) : (
        <Tree
          key={`${mode}:${search}`}
          blockNode
          defaultExpandAll
          height={height}
          treeData={treeData}
          checkable={checkable}
          checkedKeys={checkable ? (checked ?? []).map((id) => `c:${id}`) : undefined}
          onCheck={(keys) => {
            const list = Array.isArray(keys) ? keys : keys.checked;
            onCheck?.(list.map(cameraIdOfKey).filter((id): id is number => id !== undefined));
          }}
          selectable={false}
        />
      )}
    </Space>
  );
}
