// Evidence export (调取): an officer of an approved copy or retrieve request starts a package for
// one camera and range, follows its progress, may cancel it, and downloads the finished package
// (original MP4, signed manifest, proofs, verify.html) as a ZIP. An export can also be reopened
// by its number.
import { Alert, Button, Card, DatePicker, Descriptions, Form, InputNumber, Progress, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { formatTime } from '../access-requests/request-state';
import { holds, useMe } from '../../session/session';
import { evidenceApi, type EvidenceExport, type ExportState } from '../holds/evidence-api';

const COLOURS: Record<ExportState, string> = { running: 'processing', done: 'green', failed: 'red', cancelled: 'default' };

interface StartValues {
  requestId: number;
  cameraId: number;
  range: [Dayjs, Dayjs];
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export default function ExportsPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [form] = Form.useForm<StartValues>();
  // Only officers who may copy or retrieve footage start exports; others open one by its number.
  const starts = holds(useMe(), 'footage:copy', 'footage:retrieve');
  const [current, setCurrent] = useState<EvidenceExport>();
  const [openId, setOpenId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  // Poll while it runs: the server keeps the live byte count.
  useEffect(() => {
    if (current?.state !== 'running') return;
    const timer = setInterval(() => {
      evidenceApi.exports.get(current.id).then(setCurrent, (e: unknown) => report(e));
    }, 1000);
    return () => clearInterval(timer);
  }, [current?.id, current?.state, report]);

  const run = async (fn: () => Promise<EvidenceExport>, f?: typeof form) => {
    setBusy(true);
    try {
      setCurrent(await fn());
    } catch (e) {
      report(e, f);
    } finally {
      setBusy(false);
    }
  };

  const start = (v: StartValues) => run(() => evidenceApi.exports.start({ requestId: v.requestId, cameraId: v.cameraId, from: v.range[0].valueOf(), to: v.range[1].valueOf() }), form);

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card size="small" title={t('exports.title')}>
        <Typography.Paragraph type="secondary">{t('exports.help')}</Typography.Paragraph>
        {starts && <Form form={form} layout="inline" onFinish={(v) => void start(v)}>
          <Form.Item name="requestId" label={t('exports.request')} rules={[{ required: true }]}><InputNumber min={1} /></Form.Item>
          <Form.Item name="cameraId" label={t('exports.camera')} rules={[{ required: true }]}><InputNumber min={1} /></Form.Item>
          <Form.Item name="range" label={t('exports.range')} rules={[{ required: true }]}><DatePicker.RangePicker showTime /></Form.Item>
          <Form.Item><Button type="primary" htmlType="submit" loading={busy} data-testid="start-export">{t('exports.start')}</Button></Form.Item>
        </Form>}
        <Space style={{ marginTop: 12 }}>
          <InputNumber min={1} placeholder="#" value={openId} onChange={(v) => setOpenId(v)} />
          <Button disabled={!openId} onClick={() => openId && void run(() => evidenceApi.exports.get(openId))}>{t('exports.open')}</Button>
        </Space>
      </Card>

      {current ? (
        <Card size="small" title={`${t('exports.export')} #${current.id}`} data-testid="export-card" extra={<Tag color={COLOURS[current.state]} data-testid="export-state">{t(`exports.states.${current.state}`)}</Tag>}>
          <Progress percent={Math.floor(current.progress * 100)} status={current.state === 'failed' ? 'exception' : current.state === 'done' ? 'success' : current.state === 'cancelled' ? 'normal' : 'active'} />
          <Descriptions size="small" column={2} style={{ marginTop: 12 }}>
            <Descriptions.Item label={t('exports.request')}>#{current.requestId}</Descriptions.Item>
            <Descriptions.Item label={t('exports.camera')}>{current.cameraId}</Descriptions.Item>
            <Descriptions.Item label={t('exports.range')}>{formatTime(current.from)} – {formatTime(current.to)}</Descriptions.Item>
            <Descriptions.Item label={t('exports.bytes')}>{mb(current.bytesDone)} / {mb(current.bytesTotal)}</Descriptions.Item>
            {current.manifestSha256 ? <Descriptions.Item label={t('exports.manifestHash')} span={2}><Typography.Text code copyable>{current.manifestSha256}</Typography.Text></Descriptions.Item> : null}
          </Descriptions>
          {current.error ? <Alert type="error" showIcon message={current.error} style={{ marginBottom: 12 }} /> : null}
          <Space style={{ marginBottom: 12 }}>
            {current.state === 'running' ? <Button danger loading={busy} onClick={() => void run(() => evidenceApi.exports.cancel(current.id))}>{t('exports.cancel')}</Button> : null}
            {current.state === 'done' ? <Button type="primary" href={evidenceApi.exports.packageUrl(current.id)} data-testid="download-package">{t('exports.download')}</Button> : null}
          </Space>
          {current.files.length ? (
            <Table size="small" rowKey="name" dataSource={current.files} pagination={false} columns={[{ title: t('exports.file'), dataIndex: 'name' }, { title: t('exports.bytes'), dataIndex: 'bytes', align: 'right', render: (b: number) => mb(b) }]} />
          ) : null}
          {current.state === 'done' ? <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('exports.verifyHelp')}</Typography.Paragraph> : null}
        </Card>
      ) : null}
    </Space>
  );
}
