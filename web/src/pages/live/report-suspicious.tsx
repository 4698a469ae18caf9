// R3.2 from the wall (AH-17(1), WH-21(5), HRB-25(4)): a duty operator reports suspicious
// information to the police. The server takes a snapshot now and references the recording around
// it; the report is an alarm routed to the police unit of the camera's region.
import { Alert, Button, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraCatalogue } from '../../common/camera-catalogue';
import { useErrorReporter } from '../../common/error-report';
import { formatTime } from '../access-requests/request-state';
import { healthApi } from '../health/health-api';
import { wallFirst, type Alarm } from '../health/health-model';

/** `catalogue`: the wall's own (the cameras one may see), not asked for a second time. */
export function ReportSuspicious({ wall, catalogue }: { wall: readonly (number | null)[]; catalogue: CameraCatalogue }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [open, setOpen] = useState(false);
  const [cameraId, setCameraId] = useState<number>();
  const [description, setDescription] = useState('');
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<Alarm | null>(null);
  const { onWall, others } = wallFirst(catalogue.cameras, wall);

  const start = () => {
    setSent(null);
    setDescription('');
    setCameraId(onWall[0]?.id);
    setOpen(true);
  };

  const send = async () => {
    if (cameraId === undefined) return;
    setSending(true);
    try {
      setSent(await healthApi.reportSuspicious(cameraId, description.trim()));
    } catch (e) {
      report(e);
    } finally {
      setSending(false);
    }
  };

  const option = (c: { id: number; name: string; gbId: string }) => ({ value: c.id, label: `${c.name} (${c.gbId})` });
  return (
    <>
      <Button size="small" danger data-testid="report-suspicious" onClick={start}>{t('health.report.button')}</Button>
      <Modal
        open={open}
        title={t('health.report.title')}
        onCancel={() => setOpen(false)}
        destroyOnHidden
        footer={sent ? <Button data-testid="report-close" onClick={() => setOpen(false)}>{t('health.report.close')}</Button> : undefined}
        okText={t('health.report.submit')}
        onOk={send}
        okButtonProps={{ danger: true, loading: sending, disabled: cameraId === undefined || description.trim().length < 3, 'data-testid': 'report-submit' } as never}
      >
        {sent ? (
          <Alert
            type="success"
            showIcon
            data-testid="report-sent"
            message={t('health.report.sent', { id: sent.id })}
            description={
              <Space direction="vertical" size={2}>
                <span>{sent.snapshot ? t('health.report.snapshot') : t('health.report.noSnapshot')}</span>
                {sent.clipFrom !== null && sent.clipTo !== null && <span>{t('health.report.clip', { from: formatTime(sent.clipFrom), to: formatTime(sent.clipTo) })}</span>}
              </Space>
            }
          />
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph type="secondary">{t('health.report.help')}</Typography.Paragraph>
            <Select
              data-testid="report-camera"
              style={{ width: '100%' }}
              showSearch
              optionFilterProp="label"
              placeholder={t('health.report.pickCamera')}
              value={cameraId}
              onChange={setCameraId}
              options={[
                ...(onWall.length ? [{ label: t('health.report.onWall'), options: onWall.map(option) }] : []),
                { label: t('health.report.camera'), options: others.map(option) },
              ]}
            />
            <Input.TextArea data-testid="report-description" rows={3} maxLength={4000} placeholder={t('health.report.description')} value={description} onChange={(e) => setDescription(e.target.value)} />
          </Space>
        )}
      </Modal>
    </>
  );
}
