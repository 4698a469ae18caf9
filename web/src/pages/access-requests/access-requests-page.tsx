// Access requests (查阅 / 复制 / 调取): the ones one made, takes part in as an officer, decides or
// audits; filtered by state. A row opens the request with what one may do to it.
import { Button, Card, Segmented, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi, REQUEST_STATES, type AccessRequest, type RequestState } from '../../api/access';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { formatTime, StateTag } from './request-state';

// The request form and a request's drawer (its previews, export dialog, date pickers, players)
// are bundles of their own, fetched when first opened: the list's first paint runs neither.
const RequestForm = lazy(() => import('./request-form').then((m) => ({ default: m.RequestForm })));
const RequestDetail = lazy(() => import('./request-detail').then((m) => ({ default: m.RequestDetail })));

type Filter = 'all' | 'mine' | 'to-confirm' | 'to-decide' | RequestState;

export default function AccessRequestsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const [filter, setFilter] = useState<Filter>('all');
  const [open, setOpen] = useState<number>();
  const [drafting, setDrafting] = useState(false);
  const list = useAsync(() => accessApi.requests.list().then((r) => r.items).catch((e: unknown) => { report(e); throw e; }), []);
  const mayRequest = holds(me, 'footage:view', 'footage:copy', 'footage:retrieve', 'playback:view');
  const mayDecide = holds(me, 'access-request:approve');

  const shown = useMemo(() => {
    const items = list.data ?? [];
    switch (filter) {
      case 'all': return items;
      case 'mine': return items.filter((r) => r.requesterId === me.userId);
      case 'to-confirm': return items.filter((r) => r.state === 'draft' && r.officers.some((o) => o.userId === me.userId && o.confirmedAt === null));
      case 'to-decide': return items.filter((r) => r.state === 'submitted' && r.requesterId !== me.userId && !r.officers.some((o) => o.userId === me.userId));
      default: return items.filter((r) => r.state === filter);
    }
  }, [list.data, filter, me.userId]);

  const columns: TableColumnsType<AccessRequest> = [
    { title: '#', dataIndex: 'id', width: 60 },
    { title: t('request.kind'), dataIndex: 'kind', width: 90, render: (v: string) => t(`request.kinds.${v}`) },
    { title: t('request.stateLabel'), dataIndex: 'state', width: 110, render: (v: RequestState) => <StateTag state={v} /> },
    { title: t('request.purpose'), dataIndex: 'purpose', ellipsis: true },
    { title: t('request.caseNumber'), dataIndex: 'caseNumber', width: 150, render: (v: string | null) => v ?? '—' },
    { title: t('request.cameras'), dataIndex: 'cameraIds', width: 90, render: (v: number[]) => v.length },
    { title: t('request.range'), key: 'range', width: 320, render: (_: unknown, r) => `${formatTime(r.from)} – ${formatTime(r.to)}` },
    {
      title: t('request.officers'),
      key: 'officers',
      width: 110,
      render: (_: unknown, r) => `${r.officers.filter((o) => o.confirmedAt !== null).length} / ${Math.max(r.officers.length, r.requirements.officers.count)}`,
    },
  ];

  const filters: { value: Filter; label: string }[] = [
    { value: 'all', label: t('request.filter.all') },
    { value: 'mine', label: t('request.filter.mine') },
    { value: 'to-confirm', label: t('request.filter.toConfirm') },
    ...(mayDecide ? [{ value: 'to-decide' as Filter, label: t('request.filter.toDecide') }] : []),
    ...REQUEST_STATES.map((s) => ({ value: s as Filter, label: t(`request.state.${s}`) })),
  ];

  return (
    <Card
      title={t('nav.accessRequests')}
      extra={mayRequest && <Button type="primary" onClick={() => setDrafting(true)} data-testid="new-request">{t('request.new')}</Button>}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Segmented<Filter> options={filters} value={filter} onChange={setFilter} data-testid="request-filter" />
        <Typography.Text type="secondary">{t('request.count', { count: shown.length })}</Typography.Text>
        <Table<AccessRequest>
          rowKey="id"
          size="middle"
          loading={list.loading}
          columns={columns}
          dataSource={shown}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
          data-testid="request-table"
        />
      </Space>
      {drafting && (
        <Suspense fallback={null}>
          <RequestForm
            onClose={() => setDrafting(false)}
            onCreated={(r) => {
              setDrafting(false);
              list.reload();
              setOpen(r.id);
            }}
          />
        </Suspense>
      )}
      {open !== undefined && (
        <Suspense fallback={null}>
          <RequestDetail id={open} onClose={() => setOpen(undefined)} onChanged={list.reload} />
        </Suspense>
      )}
    </Card>
  );
}
