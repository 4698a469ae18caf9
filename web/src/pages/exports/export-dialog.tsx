// The export dialog, opened from the playback timeline (range from its selection, the cameras on
// screen) or from an approved request: one request, several of its cameras, one range; an export
// a camera is started (the server's package holds one camera). Enter in any field submits once:
// the form's own submit is the only path, and a submission in flight ignores further ones.
import { Alert, Checkbox, Form, Modal, Select, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi } from '../../api/access';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { useMe } from '../../session/session';
import { formatTime } from '../access-requests/request-state';
import { evidenceApi, type EvidenceExport } from '../holds/evidence-api';

export interface ExportPreset {
  requestId?: number;
  cameraIds?: number[];
  from?: number;
  to?: number;
}

interface Values {
  requestId: number;
  cameraIds: number[];
  range: [Dayjs, Dayjs];
}

interface Props {
  open: boolean;
  preset: ExportPreset;
  onClose(): void;
  onStarted(exports: EvidenceExport[]): void;
}

export function ExportDialog({ open, preset, onClose, onStarted }: Props) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const me = useMe();
  const [form] = Form.useForm<Values>();
  const { catalogue } = useCameraCatalogue();
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  // The requests this person may export under: approved copy or retrieve requests they take part in.
  const requests = useAsync(
    () => (open ? accessApi.requests.list().then((r) => r.items.filter((x) => (x.state === 'approved' || x.state === 'in_use') && (x.kind === 'copy' || x.kind === 'retrieve') && (x.requesterId === me.userId || x.officers.some((o) => o.userId === me.userId)))) : Promise.resolve([])),
    [open],
  );
  const requestId = Form.useWatch('requestId', form);
  const request = requests.data?.find((r) => r.id === requestId);

  // Each opening starts from the preset as it was when opened (playback's clock moves on meanwhile):
  // the request it names, or the only usable one.
  const presetRef = useRef(preset);
  presetRef.current = preset;
  useEffect(() => {
    if (!open || !requests.data) return;
    const preset = presetRef.current;
    const only = requests.data.length === 1 ? requests.data[0] : undefined;
    const r = requests.data.find((x) => x.id === preset.requestId) ?? only;
    const from = preset.from ?? r?.from;
    const to = preset.to ?? r?.to;
    form.setFieldsValue({
      requestId: r?.id,
      cameraIds: r ? (preset.cameraIds?.length ? preset.cameraIds.filter((id) => r.cameraIds.includes(id)) : r.cameraIds) : [],
      range: from !== undefined && to !== undefined ? [dayjs(from), dayjs(to)] : undefined,
    });
  }, [open, requests.data, form]);

  const submit = async (v: Values) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    const started: EvidenceExport[] = [];
    try {
      for (const cameraId of v.cameraIds) {
        started.push(await evidenceApi.exports.start({ requestId: v.requestId, cameraId, from: v.range[0].millisecond(0).valueOf(), to: v.range[1].millisecond(0).valueOf() }));
      }
      onStarted(started);
      onClose();
    } catch (e) {
      // Those already started are shown all the same: nothing started is hidden.
      if (started.length) onStarted(started);
      report(e, form);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  // The request names its cameras even for an officer of another unit, who cannot list them.
  const nameOf = (id: number) => request?.cameras.find((c) => c.id === id)?.name ?? catalogue.byId.get(id)?.name ?? `#${id}`;

  return (
    <Modal
      open={open}
      title={t('exports.dialog')}
      okText={t('exports.start')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'export-dialog-ok' } as Record<`data-${string}`, string>}
      destroyOnHidden
      width={640}
    >
      <div data-testid="export-dialog">
        {requests.data && requests.data.length === 0 && <Alert type="info" showIcon message={t('exports.noRequest')} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} disabled={busy}>
          <Form.Item name="requestId" label={t('exports.request')} rules={[{ required: true, message: t('form.required') }]}>
            <Select
              data-testid="export-request"
              loading={requests.loading}
              options={(requests.data ?? []).map((r) => ({ value: r.id, label: `#${r.id} ${t(`request.kinds.${r.kind}`)} · ${r.purpose}` }))}
              onChange={(id: number) => {
                const r = requests.data?.find((x) => x.id === id);
                if (r) form.setFieldsValue({ cameraIds: r.cameraIds, range: [dayjs(r.from), dayjs(r.to)] });
              }}
            />
          </Form.Item>
          {request && <Typography.Paragraph type="secondary">{t('playback.requestRange', { from: formatTime(request.from), to: formatTime(request.to) })}</Typography.Paragraph>}
          <Form.Item name="cameraIds" label={t('exports.cameras')} rules={[{ required: true, type: 'array', min: 1, message: t('exports.pickCameras') }]}>
            <Checkbox.Group data-testid="export-cameras" options={(request?.cameraIds ?? []).map((id) => ({ value: id, label: nameOf(id) }))} />
          </Form.Item>
          <Form.Item name="range" label={t('exports.range')} rules={[{ required: true, message: t('form.required') }]}>
            <DatePicker.RangePicker showTime data-testid="export-range" />
          </Form.Item>
          {/* Enter in a field submits the form natively; a hidden button makes that so in every browser. */}
          <button type="submit" hidden aria-hidden />
        </Form>
      </div>
    </Modal>
  );
}
