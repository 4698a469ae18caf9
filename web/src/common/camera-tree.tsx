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

/** Tree keys: "c:<id>" a camera, "o:<id>" an organisation, "g:<id>" a group, "d:<org>:<device>" a lower platform or device. */
export function cameraIdOfKey(key: string | number | bigint): number | undefined {
  const m = /^c:(\d+)$/.exec(String(key));
  return m ? Number(m[1]) : undefined;
}

/**
 * A camera from a lower platform whose region code is not the code of the region it sits under:
 * the city's registry has no such region, so the channel was placed under its nearest known
 * ancestor or the default region. The code is shown, never hidden.
 */
function foreignCode(c: Camera, region: Organisation | undefined): string | undefined {
  const code = c.via?.civilCode;
  return code && region?.regionCode !== code ? code : undefined;
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
    const cameraNode = (c: Camera, region?: Organisation): TreeDataNode => {
      const code = mode === 'region' ? foreignCode(c, region) : undefined;
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
          {code && (
            <Typography.Text type="secondary" data-testid={`tree-camera-code-${c.id}`}>
              {' '}
              {t('tree.regionCode', { code })}
            </Typography.Text>
          )}
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
        children: g.cameraIds.map((id) => catalogue.byId.get(id)).filter((c): c is Camera => !!c && match(c)).map((c) => cameraNode(c)),
      }));
      return withCameras(groupNodes);
    }
    const field: keyof Camera = mode === 'region' ? 'regionId' : 'userUnitId';
    const orgs: Organisation[] = catalogue.organisations.filter((o) => (mode === 'region' ? o.kind === 'platform' : o.kind === 'unit'));
    // By region, the channels of each lower platform or GB device stand in a node of their own under
    // the region, so the city sees which lower one they came through.
    const camerasOf = (org: Organisation | undefined, list: Camera[], key: string): TreeDataNode[] => {
      if (mode !== 'region') return list.map((c) => cameraNode(c));
      const own: TreeDataNode[] = [];
      const byDevice = new Map<string, Camera[]>();
      for (const c of list) {
        const device = c.via?.device;
        if (device) byDevice.set(device, [...(byDevice.get(device) ?? []), c]);
        else own.push(cameraNode(c, org));
      }
      const lower = [...byDevice].map(([device, cs]) => ({
        key: `d:${key}:${device}`,
        title: <span data-testid={`tree-device-${key}-${device}`}>{t('tree.viaDevice', { id: device })}</span>,
        children: cs.map((c) => cameraNode(c, org)),
      }));
      return [...lower, ...own];
    };
    // Organisations without any visible camera below them are left out.
    const toNode = (n: OrgTreeNode): TreeDataNode => ({
      key: `o:${n.org.id}`,
      title: <span data-testid={`tree-org-${n.org.id}`}>{orgName(n.org)}</span>,
      children: [...withCameras(n.children.map(toNode)), ...camerasOf(n.org, cameras.filter((c) => c[field] === n.org.id), String(n.org.id))],
    });
    const roots = withCameras(buildOrgTree(orgs).map(toNode));
    const placed = new Set(orgs.map((o) => o.id));
    const elsewhere = camerasOf(undefined, cameras.filter((c) => c[field] === null || !placed.has(c[field] as number)), 'none');
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
