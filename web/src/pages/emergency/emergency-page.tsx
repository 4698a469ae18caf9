// Emergency connections (接入, R2.1, R2.3): the police ask to connect an upper platform to a unit's
// system for a period, with a reason; the request is approved on its own page as the jurisdiction
// requires (the document, the head's approval); once approved it is connected here, and it ends by
// itself at the end of the period or early with a reason. The server decides who may.
import { Alert, Button, Card, Col, Form, Input, Modal, Row, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi, type AccessRequest } from '../../api/access';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { toSelectTree } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { RequestDetail } from '../access-requests/request-detail';
import { formatTime, StateTag } from '../access-requests/request-state';
import { emergencyApi, type EmergencyConnection } from './emergency-api';

interface AskValues {
  upper: string;
  requesterKind: 'public-security' | 'state-security';
  requestingUnit: string;
  custodianId: number;
  period: [Dayjs, Dayjs];
  reason: string;
}

const LINK_COLOURS: Record<EmergencyConnection['link'], string> = { idle: 'default', registering: 'processing', registered: 'green', failed: 'red', closed: 'default' };

export default function EmergencyPage() {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const { catalogue } = useCameraCatalogue();
  const [reload, setReload] = useState(0);
  const [asking, setAsking] = useState(false);
  const [ending, setEnding] = useState<EmergencyConnection>();
  const [open, setOpen] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [askForm] = Form.useForm<AskValues>();
  const [endForm] = Form.useForm<{ reason: string }>();
  const connections = useAsync(() => emergencyApi.list().catch((e: unknown) => { report(e); throw e; }), [reload]);
  const requests = useAsync(() => accessApi.requests.list().then((r) => r.items.filter((x) => x.kind === 'connect')).catch((e: unknown) => { report(e); throw e; }), [reload]);
  const platforms = connections.data?.platforms ?? [];
  const nameOf = (sipId: string) => platforms.find((p) => p.sipId === sipId)?.name ?? sipId;
  const mayAsk = holds(me, 'footage:view');
  const openIds = new Set((connections.data?.items ?? []).map((c) => c.requestId));

  const act = async (fn: () => Promise<unknown>, form?: Parameters<typeof report>[1]) => {
    setBusy(true);
    try {
      await fn();
      setReload((n) => n + 1);
      return true;
    } catch (e) {
      report(e, form);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const ask = async (v: AskValues) => {
    const from = v.period[0].valueOf();
    const to = v.period[1].valueOf();
    const ok = await act(() => accessApi.requests.create({
      kind: 'connect', requesterKind: v.requesterKind, requestingUnit: v.requestingUnit, purpose: v.reason, destination: v.upper, custodianId: v.custodianId,
      cameraIds: [], from, to, validityHours: Math.min(24, Math.max(1, Math.ceil((to - Date.now()) / 3_600_000))), officerWorkIds: [],
    }).then((r) => setOpen(r.id)), askForm);
    if (ok) {
      setAsking(false);
      askForm.resetFields();
    }
  };

  const end = async (v: { reason: string }) => {
    if (!ending) return;
    const ok = await act(() => emergencyApi.end(ending.requestId, v.reason), endForm);
    if (ok) {
      setEnding(undefined);
      endForm.resetFields();
    }
  };

  const connectionColumns: TableColumnsType<EmergencyConnection> = [
    { title: t('emergency.request'), dataIndex: 'requestId', width: 80, render: (id: number) => <a onClick={() => setOpen(id)}>#{id}</a> },
    { title: t('emergency.platform'), key: 'upper', render: (_: unknown, c) => <Space direction="vertical" size={0}><span>{c.upperName}</span><Typography.Text type="secondary">{c.upperSipId}</Typography.Text></Space> },
    { title: t('emergency.reason'), dataIndex: 'reason', ellipsis: true },
    { title: t('emergency.openedAt'), dataIndex: 'openedAt', width: 170, render: (v: number) => formatTime(v) },
    { title: t('emergency.until'), dataIndex: 'until', width: 170, render: (v: number) => formatTime(v) },
    { title: t('emergency.link'), dataIndex: 'link', width: 110, render: (v: EmergencyConnection['link']) => <Tag color={LINK_COLOURS[v]} data-testid="link-state">{t(`emergency.links.${v}`)}</Tag> },
    { title: t('emergency.lastKeepalive'), dataIndex: 'lastKeepaliveAt', width: 170, render: (v: number | null) => formatTime(v) },
    { title: '', key: 'end', width: 110, render: (_: unknown, c) => <Button size="small" danger onClick={() => setEnding(c)} data-testid="end-connection">{t('emergency.end')}</Button> },
  ];

  const requestColumns: TableColumnsType<AccessRequest> = [
    { title: '#', dataIndex: 'id', width: 60, render: (id: number) => <a onClick={() => setOpen(id)}>#{id}</a> },
    { title: t('emergency.platform'), dataIndex: 'destination', render: (v: string) => <Space direction="vertical" size={0}><span>{nameOf(v)}</span><Typography.Text type="secondary">{v}</Typography.Text></Space> },
    { title: t('emergency.requestingUnit'), dataIndex: 'requestingUnit', ellipsis: true },
    { title: t('emergency.reason'), dataIndex: 'purpose', ellipsis: true },
    { title: t('emergency.period'), key: 'period', width: 330, render: (_: unknown, r) => `${formatTime(r.from)} – ${formatTime(r.to)}` },
    { title: t('request.stateLabel'), dataIndex: 'state', width: 110, render: (v: AccessRequest['state']) => <StateTag state={v} /> },
    {
      title: '',
      key: 'actions',
      width: 120,
      render: (_: unknown, r) => (r.state === 'approved' && !openIds.has(r.id)
        ? <Button size="small" type="primary" loading={busy} onClick={() => void act(() => emergencyApi.open(r.id))} data-testid="open-connection">{t('emergency.connect')}</Button>
        : <Button size="small" onClick={() => setOpen(r.id)}>{t('emergency.details')}</Button>),
    },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small" title={t('emergency.title')} extra={mayAsk ? <Button type="primary" onClick={() => setAsking(true)} disabled={!platforms.length} data-testid="ask-connection">{t('emergency.ask')}</Button> : null}>
        <Typography.Paragraph type="secondary">{t('emergency.help')}</Typography.Paragraph>
        {connections.data && !platforms.length && <Alert type="info" showIcon message={t('emergency.noPlatforms')} style={{ marginBottom: 12 }} />}
        <Typography.Title level={5}>{t('emergency.open')}</Typography.Title>
        <Table<EmergencyConnection> data-testid="connections-table" size="small" rowKey="requestId" loading={connections.loading} dataSource={connections.data?.items ?? []} columns={connectionColumns} pagination={false} />
      </Card>
      <Card size="small" title={t('emergency.requests')} extra={<Button onClick={() => setReload((n) => n + 1)}>{t('emergency.refresh')}</Button>}>
        <Table<AccessRequest> data-testid="connect-requests-table" size="small" rowKey="id" loading={requests.loading} dataSource={requests.data ?? []} columns={requestColumns} pagination={{ pageSize: 50, hideOnSinglePage: true }} />
      </Card>

      <Modal open={asking} title={t('emergency.ask')} onCancel={() => setAsking(false)} onOk={() => askForm.submit()} confirmLoading={busy} destroyOnHidden width={640}>
        <Form form={askForm} layout="vertical" initialValues={{ requesterKind: 'public-security' }} onFinish={(v) => void ask(v)} data-testid="ask-form">
          <Form.Item name="upper" label={t('emergency.platform')} rules={[{ required: true, message: t('form.required') }]}>
            <Select options={platforms.map((p) => ({ value: p.sipId, label: `${p.name} (${p.sipId})` }))} />
          </Form.Item>
          <Row gutter={12}>
            <Col span={10}>
              <Form.Item name="requesterKind" label={t('request.requesterKind')} rules={[{ required: true }]}>
                <Select options={(['public-security', 'state-security'] as const).map((k) => ({ value: k, label: t(`request.requesterKinds.${k}`) }))} />
              </Form.Item>
            </Col>
            <Col span={14}>
              <Form.Item name="requestingUnit" label={t('emergency.requestingUnit')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}><Input maxLength={200} /></Form.Item>
            </Col>
          </Row>
          <Form.Item name="custodianId" label={t('emergency.custodian')} tooltip={t('emergency.custodianHelp')} rules={[{ required: true, message: t('form.required') }]}>
            <TreeSelect showSearch treeNodeFilterProp="title" treeDefaultExpandAll treeData={toSelectTree(catalogue.organisations, (o) => orgName(o))} />
          </Form.Item>
          <Form.Item name="period" label={t('emergency.period')} extra={t('emergency.periodHelp')} rules={[{ required: true, message: t('form.required') }]}>
            <DatePicker.RangePicker showTime style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="reason" label={t('emergency.reason')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
        </Form>
      </Modal>

      <Modal open={ending !== undefined} title={t('emergency.end')} onCancel={() => setEnding(undefined)} onOk={() => endForm.submit()} confirmLoading={busy} destroyOnHidden>
        <Form form={endForm} layout="vertical" onFinish={(v) => void end(v)}>
          <Form.Item name="reason" label={t('emergency.endReason')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
        </Form>
      </Modal>

      {open !== undefined && <RequestDetail id={open} onClose={() => setOpen(undefined)} onChanged={() => setReload((n) => n + 1)} />}
    </Space>
  );
}
