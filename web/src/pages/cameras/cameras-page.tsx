// Camera points: a region tree, filters, a server-paged table, and register / edit / import /
// export. The table asks the server for one page of 50 at a time: registries hold thousands.
import { Button, Card, Col, Input, Row, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { CAMERA_STATUSES, type Camera, type CameraQuery, type CameraStatus } from '../../api/types';
import { useErrorReporter } from '../../common/error-report';
import { isProhibited, useLocalName, useOrgName } from '../../common/names';
import { referenceFirstReads, useOrganisations, usePlaceCategories } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { supervisionApi, type Block } from '../systems/supervision-api';
import { CameraForm } from './camera-form';
import { categoryOptions, filterCategoryOption } from './category-options';
import { RegionTree } from './region-tree';

export const PAGE_SIZE = 50;

// The CSV import (antd's Upload, its list and progress) is a bundle of its own, fetched when the
// import is first opened: most visits to the list never import.
const CameraImport = lazy(() => import('./camera-import').then((m) => ({ default: m.CameraImport })));

const STATUS_COLOURS: Record<CameraStatus, string> = {
  planned: 'default',
  in_service: 'green',
  fault: 'red',
  suspended: 'orange',
  removed: 'default',
};

type Filters = Omit<CameraQuery, 'limit' | 'offset'>;

const NONE_HELD: ReadonlyMap<number, { system: string; block: Block }> = new Map();

/** The reads of the first paint (not the systems: not everyone here may read them), begun early by a page load. */
export function firstReads(): void {
  referenceFirstReads();
  void api.cameras.list({ limit: PAGE_SIZE, offset: 0 });
}

export default function CamerasPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const localName = useLocalName();
  const orgs = useOrganisations();
  const categories = usePlaceCategories();
  const [filters, setFilters] = useState<Filters>({});
  const [text, setText] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Camera | 'new'>();
  const [importing, setImporting] = useState(false);
  // Mounted from the first opening on, so the dialog closes with its own animation afterwards.
  const [importMounted, setImportMounted] = useState(false);

  const list = useAsync(
    (signal) =>
      api.cameras.list({ ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, signal).catch((e: unknown) => {
        report(e);
        throw e;
      }),
    [JSON.stringify(filters), page],
  );

  // Cameras of a system not yet accepted may not be recorded as in service (AH-13, CN-12, HRB-16):
  // the table and the form say so before the server refuses. Who may not read systems sees none.
  const me = useMe();
  const readsSystems = holds(me, 'basic-info:read');
  // Only those who may register and change cameras see the buttons that do it (the server judges again).
  const writes = holds(me, 'basic-info:write');
  // Asked beside the first page of cameras, not after it, and again when a camera was saved or
  // imported (it may have joined or left a system), not at every page or filter change.
  const [changes, setChanges] = useState(0);
  const held = useAsync(async () => {
    const out = new Map<number, { system: string; block: Block }>();
    if (!readsSystems) return NONE_HELD;
    const systems = await supervisionApi.systems.list().catch(() => ({ items: [] }));
    for (const s of systems.items) if (s.serviceBlock) for (const c of s.cameras) out.set(c.id, { system: s.name, block: s.serviceBlock });
    // The same empty map each time: an answer that holds nothing back does not draw the table again.
    return out.size ? out : NONE_HELD;
  }, [changes, readsSystems]);

  // Which recorder node records each camera of the page (a cluster on PostgreSQL); on SQLite one
  // process records every camera and the column is not shown.
  const nodes = useAsync(async (signal) => {
    const ids = list.data?.items.map((c) => c.id) ?? [];
    if (!ids.length) return undefined;
    return api.cluster.recordingNodes(ids, signal).catch(() => undefined);
  }, [list.data]);
  const clustered = nodes.data?.clustered === true;
  // Only a cluster's answer changes the table: on SQLite the column is not shown, and its answer
  // coming after the first page must not draw every cell of it again.
  const clusterNodes = clustered ? nodes.data : undefined;
  const nodeOf = useMemo(() => new Map((clusterNodes?.items ?? []).map((n) => [n.cameraId, n])), [clusterNodes]);

  const setFilter = <K extends keyof Filters>(k: K, v: Filters[K]) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setPage(1);
  };

  const columns: TableColumnsType<Camera> = useMemo(
    () => [
      { title: t('camera.gbId'), dataIndex: 'gbId', width: 190, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
      { title: t('camera.name'), dataIndex: 'name', ellipsis: true },
      {
        title: t('camera.placeCategory'),
        dataIndex: 'placeCategory',
        render: (v: string) => {
          const c = categories.byId.get(v);
          return (
            <span>
              {localName(c?.name, v)}
              {c && isProhibited(c) && <Tag color="red" style={{ marginInlineStart: 6 }}>{t('category.prohibited')}</Tag>}
            </span>
          );
        },
      },
      { title: t('camera.region'), dataIndex: 'regionId', render: (v: number) => orgName(orgs.byId.get(v), String(v)) },
      { title: t('camera.deviceType'), dataIndex: 'deviceType', width: 110, render: (v: string) => t(`enum.deviceType.${v}`) },
      { title: t('camera.keyPosition'), dataIndex: 'keyPosition', width: 90, render: (v: boolean) => (v ? <Tag color="gold">{t('common.yes')}</Tag> : t('common.no')) },
      { title: t('camera.signage'), dataIndex: 'signage', width: 90, render: (v: boolean) => (v ? t('common.yes') : <Tag color="orange">{t('common.no')}</Tag>) },
      {
        title: t('camera.status'),
        dataIndex: 'status',
        width: 130,
        render: (v: CameraStatus, c: Camera) => {
          const h = held.data?.get(c.id);
          return (
            <span>
              <Tag color={STATUS_COLOURS[v]}>{t(`enum.status.${v}`)}</Tag>
              {h && v !== 'in_service' && (
                <Tooltip title={h.block.message}>
                  <Tag color="orange" data-testid="camera-held">{t('cameras.heldBack')} {h.block.articles.join(', ')}</Tag>
                </Tooltip>
              )}
            </span>
          );
        },
      },
      ...(clustered
        ? [{
          title: t('cameras.recordingNode'),
          key: 'recordingNode',
          width: 130,
          render: (_: unknown, c: Camera) => {
            const n = nodeOf.get(c.id);
            if (!n) return null;
            return n.nodeId ? (
              <Tooltip title={t('cameras.recordingNodeHelp', { epoch: n.epoch, since: n.since ? new Date(n.since).toLocaleString() : '' })}>
                <Typography.Text code data-testid="recording-node">{n.nodeId}</Typography.Text>
              </Tooltip>
            ) : c.status === 'in_service' ? <Tag color="red" data-testid="recording-node">{t('cameras.recordingNodeNone')}</Tag> : null;
          },
        }]
        : []),
      {
        title: '',
        key: 'actions',
        width: 80,
        render: (_: unknown, c: Camera) =>
          writes ? (
            <Button size="small" type="link" onClick={() => setEditing(c)}>
              {t('common.edit')}
            </Button>
          ) : null,
      },
    ],
    [t, categories.byId, orgs.byId, orgName, localName, held.data, writes, clustered, nodeOf],
  );

  return (
    <Row gutter={16} wrap={false}>
      <Col flex="260px">
        <Card size="small" title={t('cameras.regions')} extra={filters.regionId !== undefined && <a onClick={() => setFilter('regionId', undefined)}>{t('cameras.allRegions')}</a>}>
          <RegionTree platforms={orgs.platforms} value={filters.regionId} onChange={(id) => setFilter('regionId', id)} />
        </Card>
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <Card
          size="small"
          title={t('cameras.title')}
          extra={
            <Space>
              {writes && (
                <Button type="primary" onClick={() => setEditing('new')} data-testid="camera-register">
                  {t('cameras.register')}
                </Button>
              )}
              {writes && (
                <Button onClick={() => { setImportMounted(true); setImporting(true); }} data-testid="camera-import">
                  {t('cameras.importCsv')}
                </Button>
              )}
              <Button href={api.cameras.exportUrl()} download="cameras.csv">
                {t('cameras.exportCsv')}
              </Button>
            </Space>
          }
        >
          <Space wrap style={{ marginBottom: 12 }} data-testid="camera-filters">
            <Input.Search
              allowClear
              placeholder={t('cameras.filter.q')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onSearch={(v) => setFilter('q', v.trim() || undefined)}
              style={{ width: 240 }}
            />
            <Select
              allowClear
              showSearch
              placeholder={t('cameras.filter.unit')}
              style={{ width: 200 }}
              optionFilterProp="label"
              value={filters.unitId}
              onChange={(v?: number) => setFilter('unitId', v)}
              options={orgs.units.map((u) => ({ value: u.id, label: orgName(u) }))}
            />
            <Select
              allowClear
              showSearch
              placeholder={t('cameras.filter.placeCategory')}
              style={{ width: 260 }}
              popupMatchSelectWidth={false}
              value={filters.placeCategory}
              onChange={(v?: string) => setFilter('placeCategory', v)}
              options={categoryOptions(categories.items)}
              filterOption={filterCategoryOption}
            />
            <Select
              allowClear
              placeholder={t('cameras.filter.status')}
              style={{ width: 140 }}
              value={filters.status}
              onChange={(v?: CameraStatus) => setFilter('status', v)}
              options={CAMERA_STATUSES.map((s) => ({ value: s, label: t(`enum.status.${s}`) }))}
            />
            <Select
              allowClear
              placeholder={t('cameras.filter.keyPosition')}
              style={{ width: 150 }}
              value={filters.keyPosition === undefined ? undefined : String(filters.keyPosition)}
              onChange={(v?: string) => setFilter('keyPosition', v === undefined ? undefined : v === 'true')}
              options={[
                { value: 'true', label: t('cameras.filter.keyOnly') },
                { value: 'false', label: t('cameras.filter.notKey') },
              ]}
            />
          </Space>
          <Table<Camera>
            data-testid="camera-table"
            rowKey="id"
            size="small"
            loading={list.loading}
            columns={columns}
            dataSource={list.data?.items ?? []}
            scroll={{ x: 1000 }}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: list.data?.total ?? 0,
              showSizeChanger: false,
              showTotal: (total) => t('cameras.total', { count: total }),
              onChange: setPage,
            }}
          />
        </Card>
      </Col>
      <CameraForm
        open={editing !== undefined}
        camera={editing === 'new' ? undefined : editing}
        held={editing && editing !== 'new' ? held.data?.get(editing.id) : undefined}
        defaultRegionId={filters.regionId}
        platforms={orgs.platforms}
        units={orgs.units}
        categories={categories.items}
        onClose={() => setEditing(undefined)}
        onSaved={() => {
          setEditing(undefined);
          setChanges((n) => n + 1);
          list.reload();
        }}
      />
      {importMounted && (
        <Suspense fallback={null}>
          <CameraImport
            open={importing}
            onClose={() => setImporting(false)}
            onImported={() => {
              setImporting(false);
              setChanges((n) => n + 1);
              list.reload();
            }}
          />
        </Suspense>
      )}
    </Row>
  );
}
