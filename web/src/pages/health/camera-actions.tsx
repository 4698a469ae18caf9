// What a maintainer or registrar does for one camera from the diagnostics tab: diagnose it now,
// and — only after an approved relocation or change of direction (R1.5) — approve its current
// view as the new reference, so "scene changed" stops firing.
import { Alert, Button, Input, Modal, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorReporter } from '../../common/error-report';
import { healthApi } from './health-api';

export function CameraActions({ cameraId, onChanged }: { cameraId: number; onChanged(): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [diagnosing, setDiagnosing] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; findings: string[] } | null>(null);
  const [approving, setApproving] = useState(false);
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const [approved, setApproved] = useState<number | null>(null);

  const diagnose = async () => {
    setDiagnosing(true);
    setResult(null);
    try {
      const d = await healthApi.diagnoseNow(cameraId);
      setResult({ ok: d.ok, findings: d.findings.map((f) => f.kind) });
      onChanged();
    } catch (e) {
      report(e);
    } finally {
      setDiagnosing(false);
    }
  };

  const approve = async () => {
    setSaving(true);
    try {
      const r = await healthApi.approveReference(cameraId, reason.trim());
      setApproved(r.diagnosticId);
      setApproving(false);
      setReason('');
      onChanged();
    } catch (e) {
      report(e);
    } finally {
      setSaving(false);
    }
  };

  const verdict = result && (result.ok ? t('health.diagnostics.pass') : result.findings.map((k) => t(`health.findings.${k}`, { defaultValue: k })).join(', '));
  return (
    <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }}>
      <Space wrap>
        <Button data-testid="diagnose-now" loading={diagnosing} onClick={diagnose}>{t('health.diagnostics.now')}</Button>
        <Button data-testid="approve-reference" onClick={() => setApproving(true)}>{t('health.diagnostics.approve')}</Button>
        {result && <Tag data-testid="diagnose-result" color={result.ok ? 'green' : 'red'}>{t('health.diagnostics.diagnosed', { result: verdict })}</Tag>}
      </Space>
      {approved !== null && <Alert type="success" showIcon data-testid="reference-approved" message={t('health.diagnostics.approved', { id: approved })} />}
      <Modal
        open={approving}
        title={t('health.diagnostics.approveTitle')}
        onCancel={() => setApproving(false)}
        onOk={approve}
        okButtonProps={{ disabled: reason.trim().length < 3, loading: saving, 'data-testid': 'approve-reference-submit' } as never}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('health.diagnostics.approveHelp')}</Typography.Paragraph>
        <Input data-testid="reference-reason" maxLength={500} placeholder={t('health.diagnostics.reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </Space>
  );
}
