// The access register for supervisors and auditors: who did what to which camera and range, why,
// where it went, under which approval, from where, and the outcome. Filters, newest first a page
// at a time, CSV / PDF export of the same filter, and whether the hash chain is intact.
import { Alert, Button, Card, Form, InputNumber, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { accessApi, AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditEntry, type AuditFilter } from '../../api/access';
import { CAMERA_LISTING_PERMISSIONS, useCameraCatalogue } from '../../common/camera-catalogue';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { formatTime } from '../access-requests/request-state';

export const AUDIT_PAGE_SIZE = 50;

const OUTCOME_COLOURS: Record<string, string> = { success: 'green', refused: 'red', failed: 'orange' };

interface FilterValues {
  range?: [Dayjs | null, Dayjs | null] | null;
  actorUserId?: number | null;
  action?: AuditFilter['action'];
  cameraId?: number;
  outcome?: AuditFilter['outcome'];
}

function toFilter(v: FilterValues): AuditFilter {
  return {
    from: v.range?.[0]?.valueOf(),
    to: v.range?.[1]?.valueOf(),
    actorUserId: v.actorUserId ?? undefined,
    action: v.action,
    cameraId: v.cameraId,
    outcome: v.outcome,
  };
}

/** audit:read held with a role for the whole platform (no organisation): the chain may be walked whole. */
function readsWholePlatform(me: ReturnType<typeof useMe>): boolean {
  return holds(me, 'audit:read') && me.roles.some((r) => r.organisationId === null);
}

export function ChainStatusBanner() {
  const { t } = useTranslation();
  // A reader of one subtree sees its entries; the chain as a whole is only walked platform-wide, and
  // asking would be refused and registered as a refusal on every visit.
  if (!readsWholePlatform(useMe())) return <Alert type="info" showIcon message={t('audit.scoped')} description={t('audit.scopedDetail')} data-testid="chain-status" />;
  return <ChainVerification />;
}

function ChainVerification() {
  const { t } = useTranslation();
  const status = useAsync(() => accessApi.audit.verify(), []);
  if (status.loading) return <Alert type="info" showIcon message={t('audit.verifying')} data-testid="chain-status" />;
  // Refused is not unavailable: say so, with the server's reason (audit:read platform-wide).
  if (status.error instanceof ApiError && status.error.status === 403) return <Alert type="error" showIcon message={t('audit.refused')} description={status.error.message} data-testid="chain-status" />;
  if (status.error || !status.data) return <Alert type="warning" showIcon message={t('audit.verifyUnavailable')} description={(status.error as Error)?.message} data-testid="chain-status" />;
  const s = status.data;
  return s.ok ? (
    <Alert type="success" showIcon data-testid="chain-status" message={t('audit.chainOk', { entries: s.entries, checkpoints: s.checkpointsChecked })} action={<Button size="small" onClick={status.reload}>{t('audit.verifyAgain')}</Button>} />
  ) : (
    <Alert
      type="error"
      showIcon
      data-testid="chain-status"
      message={t('audit.chainBroken', { seq: s.failure?.seq ?? '?' })}
      description={s.failure ? `${t(`audit.failure.${s.failure.kind}`, { defaultValue: s.failure.kind })}: ${s.failure.message}` : undefined}
      action={<Button size="small" onClick={status.reload}>{t('audit.verifyAgain')}</Button>}
    />
  );
}

export default function AuditPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<FilterValues>();
  const [filter, setFilter] = useState<AuditFilter>({});
  // Cursors of the pages seen so far, so "newer" can go back.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  // An auditor may hold audit:read alone: asking for the camera list would only be refused (and
  // registered as a refusal each time the register is opened); cameras then show by number.
  const mayListCameras = holds(useMe(), ...CAMERA_LISTING_PERMISSIONS);
  const { catalogue } = useCameraCatalogue(mayListCameras);
  const page = useAsync(
    (signal) => accessApi.audit.search({ ...filter, cursor, limit: AUDIT_PAGE_SIZE }, signal).catch((e: unknown) => { report(e); throw e; }),
    [JSON.stringify(filter), cursor],
  );

  const apply = (v: FilterValues) => {
    setFilter(toFilter(v));
    setCursors([undefined]);
  };
  const filterActor = (userId: number) => {
    form.setFieldValue('actorUserId', userId);
    apply(form.getFieldsValue());
  };

  const columns: TableColumnsType<AuditEntry> = [
    { title: '#', dataIndex: 'seq', width: 70 },
    { title: t('audit.time'), dataIndex: 'at', width: 170, render: (v: number) => formatTime(v) },
    { title: t('audit.action'), dataIndex: 'action', width: 120, render: (v: string) => t(`audit.actions.${v}`, { defaultValue: v }) },
    {
      title: t('audit.actors'),
      dataIndex: 'actors',
      render: (actors: AuditEntry['actors']) => (
        <Space size={[4, 2]} wrap>
          {actors.map((a, i) => {
            const text = `${a.name ?? '?'}${a.workId ? ` (${a.workId})` : ''}`;
            return a.userId !== null ? (
              <Tooltip key={i} title={t('audit.filterActor')}><Typography.Link onClick={() => filterActor(a.userId!)}>{text}</Typography.Link></Tooltip>
            ) : (
              <span key={i}>{text}</span>
            );
          })}
        </Space>
      ),
    },
    {
      title: t('audit.object'),
      key: 'object',
      render: (_: unknown, e) => (
        <Space direction="vertical" size={0}>
          {e.cameraIds.length > 0 && <span>{e.cameraIds.map((c) => catalogue.byId.get(c)?.name ?? `#${c}`).join('、')}</span>}
          {e.from !== null && <Typography.Text type="secondary">{formatTime(e.from)} – {formatTime(e.to)}</Typography.Text>}
          {e.target && <Typography.Text type="secondary" code>{e.target}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('audit.purpose'), key: 'purpose', render: (_: unknown, e) => [e.purpose, e.destination && `→ ${e.destination}`].filter(Boolean).join(' ') || '—' },
    { title: t('audit.approval'), dataIndex: 'approvalId', width: 80, render: (v: number | null) => (v !== null ? `#${v}` : '—') },
    { title: t('audit.source'), dataIndex: 'sourceAddress', width: 120, render: (v: string | null) => v ?? '—' },
    {
      title: t('audit.outcome'),
      key: 'outcome',
      width: 160,
      render: (_: unknown, e) => (
        <Space direction="vertical" size={0}>
          <Tag color={OUTCOME_COLOURS[e.outcome]}>{t(`audit.outcomes.${e.outcome}`, { defaultValue: e.outcome })}</Tag>
          {e.reason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{e.reason}</Typography.Text>}
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t('nav.audit')}
      extra={
        <Space>
          <Button href={accessApi.audit.exportUrl('csv', filter)} data-testid="audit-export-csv">{t('audit.exportCsv')}</Button>
          <Button href={accessApi.audit.exportUrl('pdf', filter)} data-testid="audit-export-pdf">{t('audit.exportPdf')}</Button>
        </Space>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <ChainStatusBanner />
        <Form<FilterValues> form={form} layout="inline" onFinish={apply} data-testid="audit-filters">
          <Form.Item name="range" label={t('audit.time')}>
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item name="actorUserId" label={t('audit.actor')}>
            <InputNumber min={1} placeholder={t('audit.userId')} style={{ width: 110 }} />
          </Form.Item>
          <Form.Item name="action" label={t('audit.action')}>
            <Select allowClear style={{ width: 150 }} options={AUDIT_ACTIONS.map((a) => ({ value: a, label: t(`audit.actions.${a}`) }))} data-testid="audit-action" />
          </Form.Item>
          <Form.Item name="cameraId" label={t('audit.camera')}>
            {mayListCameras ? (
              <Select allowClear showSearch optionFilterProp="label" style={{ width: 180 }} options={catalogue.cameras.map((c) => ({ value: c.id, label: c.name }))} />
            ) : (
              <InputNumber min={1} placeholder="#" style={{ width: 110 }} />
            )}
          </Form.Item>
          <Form.Item name="outcome" label={t('audit.outcome')}>
            <Select allowClear style={{ width: 110 }} options={AUDIT_OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcomes.${o}`) }))} data-testid="audit-outcome" />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="audit-search">{t('audit.search')}</Button>
          <Button onClick={() => { form.resetFields(); apply({}); }}>{t('audit.reset')}</Button>
        </Form>
        <Table<AuditEntry>
          rowKey="seq"
          size="small"
          loading={page.loading}
          columns={columns}
          dataSource={page.data?.items ?? []}
          pagination={false}
          data-testid="audit-table"
        />
        <Space>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>{t('audit.newer')}</Button>
          <Button
            disabled={!page.data || page.data.nextCursor === null}
            onClick={() => page.data?.nextCursor != null && setCursors((c) => [...c, page.data!.nextCursor!])}
            data-testid="audit-older"
          >
            {t('audit.older')}
          </Button>
          <Typography.Text type="secondary">{t('audit.pageOf', { page: cursors.length })}</Typography.Text>
        </Space>
      </Space>
    </Card>
  );
}
