// Shares (共享): which cameras go to which upper platform, department or API client, with which
// rights, for how long and on which approval document; granting one and revoking one at once.
// The server decides who may (share:grant over the organisation); a refusal shows its message.
import { Button, Card, Checkbox, Form, Input, InputNumber, Modal, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { holds as holdsPermission, useMe } from '../../session/session';
import { formatTime } from '../access-requests/request-state';
import { RECIPIENT_KINDS, SHARE_RIGHTS, sharesApi, type RecipientKind, type Share, type ShareRight, type ShareState } from './shares-api';

const COLOURS: Record<ShareState, string> = { pending: 'blue', active: 'green', expired: 'default', revoked: 'red' };

interface GrantValues {
  organisationId: number;
  recipientKind: RecipientKind;
  recipientRef: string;
  recipientName?: string;
  rights: ShareRight[];
  cameraIds?: string;
  groupIds?: string;
  span: [Dayjs, Dayjs];
  purpose: string;
  approvalDocument: string;
}

/** "3, 4 7" → [3, 4, 7]. */
const ids = (text: string | undefined) => (text ?? '').split(/[\s,，]+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0);

export default function SharesPage() {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const [state, setState] = useState<ShareState | 'all'>('all');
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<Share>();
  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState(false);
  const [grantForm] = Form.useForm<GrantValues>();
  const [revokeForm] = Form.useForm<{ reason: string }>();
  const list = useAsync(() => sharesApi.list().then((r) => r.items).catch((e: unknown) => { report(e); throw e; }), [reload]);
  const mayGrant = holdsPermission(me, 'share:grant');
  const rows = (list.data ?? []).filter((s) => state === 'all' || s.state === state);

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

  const grant = async (v: GrantValues) => {
    const ok = await act(() => sharesApi.grant({
      organisationId: v.organisationId,
      recipient: { kind: v.recipientKind, ref: v.recipientRef.trim() },
      ...(v.recipientName?.trim() ? { recipientName: v.recipientName.trim() } : {}),
      rights: v.rights,
      cameraIds: ids(v.cameraIds),
      groupIds: ids(v.groupIds),
      validFrom: v.span[0].valueOf(),
      validTo: v.span[1].valueOf(),
      purpose: v.purpose,
      approvalDocument: v.approvalDocument,
    }), grantForm);
    if (ok) {
      setGranting(false);
      grantForm.resetFields();
    }
  };

  const revoke = async (v: { reason: string }) => {
    if (!revoking) return;
    const ok = await act(() => sharesApi.revoke(revoking.id, v.reason), revokeForm);
    if (ok) {
      setRevoking(undefined);
      revokeForm.resetFields();
    }
  };

  const columns: TableColumnsType<Share> = [
    { title: '#', dataIndex: 'id', width: 60 },
    { title: t('shares.recipient'), key: 'recipient', render: (_: unknown, s) => <Space direction="vertical" size={0}><span>{s.recipientName}</span><Typography.Text type="secondary">{t(`shares.kinds.${s.recipientKind}`)} · {s.recipientRef}</Typography.Text></Space> },
    { title: t('shares.cameras'), key: 'cameras', render: (_: unknown, s) => [s.cameraIds.length ? `${t('shares.cameraIds')} ${s.cameraIds.join(', ')}` : '', s.groupIds.length ? `${t('shares.groupIds')} ${s.groupIds.join(', ')}` : ''].filter(Boolean).join('；') },
    { title: t('shares.rights'), dataIndex: 'rights', render: (r: ShareRight[]) => r.map((x) => <Tag key={x}>{t(`shares.rightNames.${x}`)}</Tag>) },
    { title: t('shares.span'), key: 'span', width: 330, render: (_: unknown, s) => `${formatTime(s.validFrom)} – ${formatTime(s.validTo)}` },
    { title: t('shares.approvalDocument'), dataIndex: 'approvalDocument', ellipsis: true },
    { title: t('shares.state'), dataIndex: 'state', width: 100, render: (s: ShareState) => <Tag color={COLOURS[s]} data-testid="share-state">{t(`shares.states.${s}`)}</Tag> },
    {
      title: '',
      key: 'actions',
      width: 110,
      render: (_: unknown, s) => (s.state !== 'revoked' && s.state !== 'expired' && mayGrant ? <Button size="small" danger onClick={() => setRevoking(s)} data-testid="revoke-share">{t('shares.revoke')}</Button> : null),
    },
  ];

  return (
    <Card size="small" title={t('shares.title')} extra={mayGrant ? <Button type="primary" onClick={() => setGranting(true)} data-testid="grant-share">{t('shares.grant')}</Button> : null}>
      <Typography.Paragraph type="secondary">{t('shares.help')}</Typography.Paragraph>
      <Segmented
        value={state}
        onChange={(v) => setState(v as ShareState | 'all')}
        options={[{ value: 'all', label: t('shares.all') }, ...(['pending', 'active', 'expired', 'revoked'] as const).map((s) => ({ value: s, label: t(`shares.states.${s}`) }))]}
        style={{ marginBottom: 12 }}
      />
      <Table<Share> data-testid="shares-table" size="small" rowKey="id" loading={list.loading} dataSource={rows} columns={columns} pagination={{ pageSize: 50, hideOnSinglePage: true }} />

      <Modal open={granting} title={t('shares.grant')} onCancel={() => setGranting(false)} onOk={() => grantForm.submit()} confirmLoading={busy} destroyOnHidden width={640}>
        <Form form={grantForm} layout="vertical" initialValues={{ recipientKind: 'platform', rights: ['catalog', 'live'] }} onFinish={(v) => void grant(v)}>
          <Form.Item name="organisationId" label={t('shares.organisation')} rules={[{ required: true }]}><InputNumber min={1} style={{ width: '100%' }} /></Form.Item>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="recipientKind" label={t('shares.recipientKind')} rules={[{ required: true }]} style={{ width: '40%' }}>
              <Select options={RECIPIENT_KINDS.map((k) => ({ value: k, label: t(`shares.kinds.${k}`) }))} />
            </Form.Item>
            <Form.Item name="recipientRef" label={t('shares.recipientRef')} extra={t('shares.recipientRefHelp')} rules={[{ required: true, whitespace: true }]} style={{ width: '60%' }}><Input maxLength={20} /></Form.Item>
          </Space.Compact>
          <Form.Item name="recipientName" label={t('shares.recipientName')}><Input maxLength={200} /></Form.Item>
          <Form.Item name="rights" label={t('shares.rights')} rules={[{ required: true }]}>
            <Checkbox.Group options={SHARE_RIGHTS.map((r) => ({ value: r, label: t(`shares.rightNames.${r}`) }))} />
          </Form.Item>
          <Form.Item name="cameraIds" label={t('shares.cameraIds')} extra={t('shares.idsHelp')}><Input /></Form.Item>
          <Form.Item name="groupIds" label={t('shares.groupIds')} extra={t('shares.idsHelp')}><Input /></Form.Item>
          <Form.Item name="span" label={t('shares.span')} rules={[{ required: true }]}><DatePicker.RangePicker showTime style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="purpose" label={t('shares.purpose')} rules={[{ required: true, whitespace: true }]}><Input maxLength={500} /></Form.Item>
          <Form.Item name="approvalDocument" label={t('shares.approvalDocument')} extra={t('shares.approvalDocumentHelp')} rules={[{ required: true, whitespace: true }]}><Input maxLength={500} /></Form.Item>
        </Form>
      </Modal>

      <Modal open={revoking !== undefined} title={t('shares.revoke')} onCancel={() => setRevoking(undefined)} onOk={() => revokeForm.submit()} confirmLoading={busy} destroyOnHidden>
        <Typography.Paragraph type="secondary">{t('shares.revokeHelp')}</Typography.Paragraph>
        <Form form={revokeForm} layout="vertical" onFinish={(v) => void revoke(v)}>
          <Form.Item name="reason" label={t('shares.revokeReason')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={3} maxLength={500} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
