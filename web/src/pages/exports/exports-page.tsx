// Evidence export (调取): an officer of an approved copy or retrieve request starts packages from
// the export dialog (several cameras of the request, one range; also opened from playback and from
// the request), follows "my exports" with their state and progress, may cancel a running one, and
// downloads the finished package (original MP4, signed manifest, proofs, verify.html) as a ZIP.
import { Alert, Button, Card, Descriptions, Progress, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { formatTime } from '../access-requests/request-state';
import { holds, useMe } from '../../session/session';
import { evidenceApi, type EvidenceExport, type ExportState } from '../holds/evidence-api';
import { ExportDialog } from './export-dialog';

export const EXPORT_COLOURS: Record<ExportState, string> = { running: 'processing', done: 'green', failed: 'red', cancelled: 'default' };

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export default function ExportsPage() {
  const { t } = useTranslation();
  const report = useErrorReporter();
  // Only officers who may copy or retrieve footage start exports.
  const starts = holds(useMe(), 'footage:copy', 'footage:retrieve');
  const { catalogue } = useCameraCatalogue();
  const mine = useAsync(() => evidenceApi.exports.mine(), []);
  const names = new Map((mine.data ?? []).map((e) => [e.cameraId, e.cameraName]));
  const [current, setCurrent] = useState<EvidenceExport>();
  const [dialog, setDialog] = useState(false);
  const [busy, setBusy] = useState(false);
  const running = (mine.data ?? []).some((e) => e.state === 'running') || current?.state === 'running';

  // Poll while one runs: the server keeps the live byte count.
  const reload = mine.reload;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      reload();
      if (current?.state === 'running') evidenceApi.exports.get(current.id).then(setCurrent, (e: unknown) => report(e));
    }, 1000);
    return () => clearInterval(timer);
  }, [running, current?.id, current?.state, report, reload]);

  const run = async (fn: () => Promise<EvidenceExport>) => {
    setBusy(true);
    try {
      setCurrent(await fn());
      mine.reload();
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };
  const nameOf = (id: number) => catalogue.byId.get(id)?.name ?? names.get(id) ?? `#${id}`;
  const percent = (e: EvidenceExport) => Math.floor(e.progress * 100);

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card
        size="small"
        title={t('exports.mine')}
        extra={starts && <Button type="primary" onClick={() => setDialog(true)} data-testid="new-export">{t('exports.new')}</Button>}
      >
        <Typography.Paragraph type="secondary">{t('exports.help')}</Typography.Paragraph>
        <Table<EvidenceExport>
          size="small"
          rowKey="id"
          data-testid="my-exports"
          loading={mine.loading && !mine.data}
          dataSource={mine.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: t('exports.none') }}
          onRow={(e) => ({ onClick: () => setCurrent(e), style: { cursor: 'pointer' }, 'data-testid': `export-row-${e.id}` } as object)}
          columns={[
            { title: '#', dataIndex: 'id', width: 60 },
            { title: t('exports.camera'), dataIndex: 'cameraId', render: (id: number) => nameOf(id) },
            { title: t('exports.range'), key: 'range', render: (_: unknown, e) => `${formatTime(e.from)} – ${formatTime(e.to)}` },
            { title: t('exports.request'), dataIndex: 'requestId', render: (id: number) => `#${id}` },
            {
              title: t('exports.state'), dataIndex: 'state',
              render: (s: ExportState, e) => s === 'running' ? <Progress percent={percent(e)} size="small" style={{ width: 120 }} /> : <Tag color={EXPORT_COLOURS[s]} data-testid="export-row-state">{t(`exports.states.${s}`)}</Tag>,
            },
            {
              title: '', key: 'download',
              render: (_: unknown, e) => e.state === 'done' ? <a href={evidenceApi.exports.packageUrl(e.id)} onClick={(ev) => ev.stopPropagation()} data-testid="export-row-download">{t('exports.downloadShort')}</a> : null,
            },
          ]}
        />
      </Card>

      {current ? (
        <Card size="small" title={`${t('exports.export')} #${current.id}`} data-testid="export-card" extra={<Tag color={EXPORT_COLOURS[current.state]} data-testid="export-state">{t(`exports.states.${current.state}`)}</Tag>}>
          <Progress percent={percent(current)} status={current.state === 'failed' ? 'exception' : current.state === 'done' ? 'success' : current.state === 'cancelled' ? 'normal' : 'active'} />
          <Descriptions size="small" column={2} style={{ marginTop: 12 }}>
            <Descriptions.Item label={t('exports.request')}>#{current.requestId}</Descriptions.Item>
            <Descriptions.Item label={t('exports.camera')}>{nameOf(current.cameraId)}</Descriptions.Item>
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
      <ExportDialog open={dialog} preset={{}} onClose={() => setDialog(false)} onStarted={(list) => { mine.reload(); if (list[0]) setCurrent(list[0]); }} />
    </Space>
  );
}
