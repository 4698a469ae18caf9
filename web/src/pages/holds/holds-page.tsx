// Legal holds (信息保全): the holds on cameras in one's reach, placing one with its case reference,
// asking for a release with a reason, and approving a release someone else asked for. The server
// decides who may; a refusal is shown with its message.
import { Button, Card, Form, Input, InputNumber, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { holds as holdsPermission, useMe } from '../../session/session';
import { formatTime } from '../access-requests/request-state';
import { evidenceApi, HOLD_STATES, type Hold, type HoldState } from './evidence-api';

const COLOURS: Record<HoldState, string> = { active: 'red', release_requested: 'orange', released: 'default' };

interface PlaceValues {
  cameraId: number;
  range?: [Dayjs, Dayjs] | null;
  caseRef: string;
  reason?: string;
}

export default function HoldsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const [state, setState] = useState<HoldState | 'all'>('all');
  const [placing, setPlacing] = useState(false);
  const [releasing, setReleasing] = useState<Hold>();
  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState(false);
  const [placeForm] = Form.useForm<PlaceValues>();
  const [releaseForm] = Form.useForm<{ reason: string }>();
  const list = useAsync(() => evidenceApi.holds.list(state === 'all' ? {} : { state }).then((r) => r.items).catch((e: unknown) => { report(e); throw e; }), [state, reload]);
  const mayPlace = holdsPermission(me, 'footage:retrieve', 'access-request:approve');
  const mayApprove = holdsPermission(me, 'access-request:approve');

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

  const place = async (v: PlaceValues) => {
    const ok = await act(() => evidenceApi.holds.place({ cameraId: v.cameraId, from: v.range?.[0]?.valueOf() ?? null, to: v.range?.[1]?.valueOf() ?? null, caseRef: v.caseRef, reason: v.reason ?? '' }), placeForm);
    if (ok) {
      setPlacing(false);
      placeForm.resetFields();
    }
  };

  const askRelease = async (v: { reason: string }) => {
    if (!releasing) return;
    const ok = await act(() => evidenceApi.holds.requestRelease(releasing.id, v.reason), releaseForm);
    if (ok) {
      setReleasing(undefined);
      releaseForm.resetFields();
    }
  };

  const columns: TableColumnsType<Hold> = [
    { title: '#', dataIndex: 'id', width: 60 },
    { title: t('holds.camera'), dataIndex: 'cameraId', width: 90 },
    { title: t('holds.caseRef'), dataIndex: 'caseRef' },
    {
      title: t('holds.range'),
      key: 'range',
      render: (_: unknown, h) => (h.from === null && h.to === null ? t('holds.wholeCamera') : `${formatTime(h.from)} – ${formatTime(h.to)}`),
    },
    { title: t('holds.reason'), dataIndex: 'reason', ellipsis: true },
    { title: t('holds.state'), dataIndex: 'state', width: 130, render: (s: HoldState) => <Tag color={COLOURS[s]} data-testid="hold-state">{t(`holds.states.${s}`)}</Tag> },
    { title: t('holds.placedAt'), dataIndex: 'placedAt', width: 170, render: (ms: number) => formatTime(ms) },
    {
      title: '',
      key: 'actions',
      width: 200,
      render: (_: unknown, h) => (
        <Space>
          {h.state === 'active' && mayPlace ? <Button size="small" onClick={() => setReleasing(h)}>{t('holds.requestRelease')}</Button> : null}
          {h.state === 'release_requested' && mayApprove && h.releaseRequestedBy !== me.userId ? (
            <Button size="small" type="primary" danger loading={busy} onClick={() => void act(() => evidenceApi.holds.approveRelease(h.id))}>{t('holds.approveRelease')}</Button>
          ) : null}
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title={t('holds.title')}
      extra={mayPlace ? <Button type="primary" onClick={() => setPlacing(true)} data-testid="place-hold">{t('holds.place')}</Button> : null}
    >
      <Typography.Paragraph type="secondary">{t('holds.help')}</Typography.Paragraph>
      <Segmented
        value={state}
        onChange={(v) => setState(v as HoldState | 'all')}
        options={[{ value: 'all', label: t('holds.all') }, ...HOLD_STATES.map((s) => ({ value: s, label: t(`holds.states.${s}`) }))]}
        style={{ marginBottom: 12 }}
      />
      <Table<Hold> data-testid="holds-table" size="small" rowKey="id" loading={list.loading} dataSource={list.data ?? []} columns={columns} pagination={{ pageSize: 50, hideOnSinglePage: true }} />

      <Modal open={placing} title={t('holds.place')} onCancel={() => setPlacing(false)} onOk={() => placeForm.submit()} confirmLoading={busy} destroyOnHidden>
        <Form form={placeForm} layout="vertical" onFinish={(v) => void place(v)}>
          <Form.Item name="cameraId" label={t('holds.camera')} rules={[{ required: true }]}><InputNumber min={1} style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="range" label={t('holds.range')} extra={t('holds.rangeHelp')}><DatePicker.RangePicker showTime style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="caseRef" label={t('holds.caseRef')} rules={[{ required: true, whitespace: true }]}><Input maxLength={200} /></Form.Item>
          <Form.Item name="reason" label={t('holds.reason')}><Input.TextArea rows={3} maxLength={2000} /></Form.Item>
        </Form>
      </Modal>

      <Modal open={releasing !== undefined} title={t('holds.requestRelease')} onCancel={() => setReleasing(undefined)} onOk={() => releaseForm.submit()} confirmLoading={busy} destroyOnHidden>
        <Typography.Paragraph type="secondary">{t('holds.releaseHelp')}</Typography.Paragraph>
        <Form form={releaseForm} layout="vertical" onFinish={(v) => void askRelease(v)}>
          <Form.Item name="reason" label={t('holds.releaseReason')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={3} maxLength={2000} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
