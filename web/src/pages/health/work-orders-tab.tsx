// Work orders for the maintainer units: state and deadline (with its article), a detail drawer,
// and closing one — which the server allows only on a fresh sample that passes diagnostics, so
// its refusal is shown in full with the failed proof's snapshot.
import { Alert, Button, Card, Descriptions, Drawer, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { ErrorDetails, useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { formatTime } from '../access-requests/request-state';
import { DiagnosticSnapshot } from './diagnostic-snapshot';
import { healthApi } from './health-api';
import type { Camera } from '../../api/types';
import { escalationLevel, isOverdue, proofDiagnosticOf, type WorkOrder, type WorkOrderState, WORK_ORDER_STATES } from './health-model';
import { OpenWorkOrder } from './open-work-order';
import { OrderEscalation } from './order-escalation';

const STATE_COLOUR: Record<string, string> = { open: 'blue', escalated: 'volcano', closed: 'green' };

export function WorkOrderState({ order, now }: { order: WorkOrder; now: number }) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      <Tag color={STATE_COLOUR[order.state] ?? 'default'}>{t(`health.orders.state.${order.state}`, { defaultValue: order.state })}</Tag>
      {isOverdue(order, now) && <Tag color="red" data-testid="overdue">{t('health.orders.overdue')}</Tag>}
      {escalationLevel(order) > 0 && <Tag color="magenta" data-testid="escalation-level">{t(`health.orders.level.${escalationLevel(order)}`)}</Tag>}
    </Space>
  );
}

function OrderDrawer({ id, cameraName, onClose, onChanged }: { id: number; cameraName: (id: number) => string; onClose(): void; onChanged(): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const order = useAsync(() => healthApi.workOrders.get(id), [id]);
  const [note, setNote] = useState('');
  const [closing, setClosing] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const o = order.data;
  const now = Date.now();

  const close = async () => {
    setClosing(true);
    setRefusal(null);
    try {
      await healthApi.workOrders.close(id, note);
      order.reload();
      onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.status !== 0 && e.status < 500) setRefusal(e);
      else report(e);
    } finally {
      setClosing(false);
    }
  };
  const proof = refusal ? proofDiagnosticOf(refusal) : undefined;

  return (
    <Drawer open width={560} title={t('health.orders.detailTitle', { id })} onClose={onClose} destroyOnHidden>
      {order.error ? <Alert type="error" showIcon message={(order.error as Error).message} /> : null}
      {o && (
        <Space direction="vertical" style={{ width: '100%' }} size={16}>
          <Descriptions size="small" column={1} bordered data-testid="work-order-detail">
            <Descriptions.Item label={t('health.orders.state.label')}><WorkOrderState order={o} now={now} /></Descriptions.Item>
            <Descriptions.Item label={t('health.camera')}>{cameraName(o.cameraId)}</Descriptions.Item>
            <Descriptions.Item label={t('health.orders.cause')}>{t(`health.orders.causes.${o.cause}`, { defaultValue: o.cause })}</Descriptions.Item>
            {o.findings.length > 0 && <Descriptions.Item label={t('health.orders.findings')}>{o.findings.map((f) => <Tag key={f} color="orange">{t(`health.findings.${f}`, { defaultValue: f })}</Tag>)}</Descriptions.Item>}
            <Descriptions.Item label={t('health.orders.opened')}>{formatTime(o.openedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('health.orders.due')}>
              <Space size={4} wrap>
                {o.dueAt === null ? t('health.orders.noDeadline') : formatTime(o.dueAt)}
                {o.deadlineHours !== null && <span>({t('health.orders.hours', { count: o.deadlineHours })})</span>}
                {o.deadlineArticle && <ArticleTags articles={[o.deadlineArticle]} />}
              </Space>
              <div><Typography.Text type="secondary">{o.deadlineBasis}</Typography.Text></div>
            </Descriptions.Item>
            <Descriptions.Item label={t('health.rates.profile')}>{o.profileId}</Descriptions.Item>
            {o.escalatedAt !== null && <Descriptions.Item label={t('health.orders.escalated')}>{formatTime(o.escalatedAt)}</Descriptions.Item>}
            {o.closedAt !== null && <Descriptions.Item label={t('health.orders.closed')}>{formatTime(o.closedAt)}</Descriptions.Item>}
            {o.note && <Descriptions.Item label={t('health.orders.note')}>{o.note}</Descriptions.Item>}
          </Descriptions>
          <OrderEscalation order={o} onChanged={() => { order.reload(); onChanged(); }} />
          {o.diagnosticId !== null && <DiagnosticSnapshot cameraId={o.cameraId} diagnosticId={o.diagnosticId} title={t('health.orders.faultSnapshot')} />}
          {o.proofDiagnosticId !== null && <DiagnosticSnapshot cameraId={o.cameraId} diagnosticId={o.proofDiagnosticId} title={t('health.orders.proofSnapshot')} />}
          {o.state !== 'closed' && (
            <Card size="small" title={t('health.orders.closeTitle')}>
              <Typography.Paragraph type="secondary">{t('health.orders.closeHelp')}</Typography.Paragraph>
              <Input.TextArea data-testid="close-note" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('health.orders.note')} />
              <Button style={{ marginTop: 8 }} type="primary" data-testid="close-order" loading={closing} onClick={close}>{t('health.orders.close')}</Button>
              {refusal && (
                <Alert
                  style={{ marginTop: 12 }}
                  type="warning"
                  showIcon
                  data-testid="close-refusal"
                  message={refusal.message}
                  description={
                    <>
                      <ErrorDetails details={refusal.details} />
                      <ArticleTags articles={refusal.articles} label />
                      {proof !== undefined && <DiagnosticSnapshot cameraId={o.cameraId} diagnosticId={proof} title={t('health.orders.proofSnapshot')} />}
                    </>
                  }
                />
              )}
            </Card>
          )}
        </Space>
      )}
    </Drawer>
  );
}

export function WorkOrdersTab({ cameraName, cameras }: { cameraName: (id: number) => string; cameras: Camera[] }) {
  const { t } = useTranslation();
  const [state, setState] = useState<WorkOrderState | undefined>();
  const list = useAsync(() => healthApi.workOrders.list(state).then((r) => r.items), [state]);
  const [open, setOpen] = useState<number | null>(null);
  const now = Date.now();

  return (
    <Card
      size="small"
      title={t('health.orders.title')}
      extra={
        <Space>
        <OpenWorkOrder cameras={cameras} onOpened={(o) => { list.reload(); setOpen(o.id); }} />
        <Select<WorkOrderState | undefined>
          data-testid="order-state-filter"
          allowClear
          style={{ width: 160 }}
          placeholder={t('health.orders.allStates')}
          value={state}
          onChange={setState}
          options={WORK_ORDER_STATES.map((s) => ({ value: s, label: t(`health.orders.state.${s}`) }))}
        />
        </Space>
      }
    >
      {list.error ? <Alert type="error" showIcon message={(list.error as Error).message} /> : null}
      <Table<WorkOrder>
        data-testid="work-orders-table"
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(o) => ({ onClick: () => setOpen(o.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: t('health.camera'), dataIndex: 'cameraId', render: (id: number) => cameraName(id) },
          { title: t('health.orders.cause'), dataIndex: 'cause', render: (c: string) => t(`health.orders.causes.${c}`, { defaultValue: c }) },
          { title: t('health.orders.state.label'), key: 'state', render: (_: unknown, o) => <WorkOrderState order={o} now={now} /> },
          { title: t('health.orders.opened'), dataIndex: 'openedAt', render: (v: number) => formatTime(v) },
          {
            title: t('health.orders.due'),
            key: 'due',
            render: (_: unknown, o) => (
              <Space size={4}>
                {o.dueAt === null ? t('health.orders.noDeadline') : formatTime(o.dueAt)}
                {o.deadlineArticle && <ArticleTags articles={[o.deadlineArticle]} />}
              </Space>
            ),
          },
        ]}
      />
      {open !== null && <OrderDrawer id={open} cameraName={cameraName} onClose={() => setOpen(null)} onChanged={list.reload} />}
    </Card>
  );
}
