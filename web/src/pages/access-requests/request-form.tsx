// Drafting an access request: what kind, for whom and why, which cameras of which custodian over
// which time range, the officers by work ID, and the approval document. The server checks the
// rules; its refusals land on the fields with their articles.
import { Button, Col, Drawer, Form, Input, InputNumber, Radio, Row, Select, Space, TreeSelect, Typography, Upload } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi, REQUEST_KINDS, REQUESTER_KINDS, type AccessRequest, type AccessRequestInput } from '../../api/access';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { CameraTree } from '../../common/camera-tree';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { toSelectTree } from '../../common/reference-data';

interface Values extends Omit<AccessRequestInput, 'from' | 'to' | 'cameraIds'> {
  range: [Dayjs, Dayjs];
}

export const DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'];

export function RequestForm({ onClose, onCreated }: { onClose(): void; onCreated(r: AccessRequest): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const [form] = Form.useForm<Values>();
  const { catalogue } = useCameraCatalogue();
  const [cameraIds, setCameraIds] = useState<number[]>([]);
  const [cameraError, setCameraError] = useState<string>();
  const [document, setDocument] = useState<File>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    if (!cameraIds.length) {
      setCameraError(t('request.pickCameras'));
      return;
    }
    setBusy(true);
    try {
      const created = await accessApi.requests.create({
        kind: v.kind,
        requesterKind: v.requesterKind,
        requestingUnit: v.requestingUnit,
        purpose: v.purpose,
        caseNumber: v.caseNumber || null,
        destination: v.destination,
        custodianId: v.custodianId,
        cameraIds,
        from: v.range[0].valueOf(),
        to: v.range[1].valueOf(),
        validityHours: v.validityHours,
        officerWorkIds: v.officerWorkIds ?? [],
      });
      // The document goes up once the draft exists; a refused file leaves the draft to fix.
      const withDocument = document ? await accessApi.requests.attachDocument(created.id, document).catch((e: unknown) => { report(e); return created; }) : created;
      onCreated(withDocument);
    } catch (e) {
      report(e, form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open
      width={980}
      title={t('request.new')}
      onClose={onClose}
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="request-form-submit">{t('request.saveDraft')}</Button>
        </Space>
      }
    >
      <Row gutter={24}>
        <Col span={14}>
          <Form<Values>
            form={form}
            layout="vertical"
            onFinish={submit}
            initialValues={{ kind: 'view', requesterKind: 'public-security', validityHours: 72, officerWorkIds: [] }}
            data-testid="request-form"
          >
            <Form.Item name="kind" label={t('request.kind')} rules={[{ required: true }]}>
              <Radio.Group optionType="button" options={REQUEST_KINDS.filter((k) => k !== 'connect').map((k) => ({ value: k, label: t(`request.kinds.${k}`) }))} />
            </Form.Item>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="requesterKind" label={t('request.requesterKind')} rules={[{ required: true }]}>
                  <Select options={REQUESTER_KINDS.map((k) => ({ value: k, label: t(`request.requesterKinds.${k}`) }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="requestingUnit" label={t('request.requestingUnit')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="purpose" label={t('request.purpose')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="caseNumber" label={t('request.caseNumber')}>
                  <Input maxLength={100} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="destination" label={t('request.destination')} tooltip={t('request.destinationHelp')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                  <Input maxLength={500} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="custodianId" label={t('request.custodian')} tooltip={t('request.custodianHelp')} rules={[{ required: true, message: t('form.required') }]}>
              <TreeSelect showSearch treeNodeFilterProp="title" treeDefaultExpandAll treeData={toSelectTree(catalogue.organisations, (o) => orgName(o))} />
            </Form.Item>
            <Row gutter={12}>
              <Col span={16}>
                <Form.Item name="range" label={t('request.range')} rules={[{ required: true, message: t('form.required') }]}>
                  <DatePicker.RangePicker showTime style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="validityHours" label={t('request.validityHours')} rules={[{ required: true }]}>
                  <InputNumber min={1} max={24 * 365} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="officerWorkIds" label={t('request.officerWorkIds')} extra={t('request.officersHelp')}>
              <Select mode="tags" tokenSeparators={[',', ' ', '，']} open={false} suffixIcon={null} />
            </Form.Item>
            <Form.Item label={t('request.document')} extra={t('request.documentHelp')}>
              <Upload
                accept={DOCUMENT_TYPES.join(',')}
                maxCount={1}
                beforeUpload={(f) => {
                  setDocument(f);
                  return false;
                }}
                onRemove={() => setDocument(undefined)}
              >
                <Button>{t('request.pickDocument')}</Button>
              </Upload>
            </Form.Item>
          </Form>
        </Col>
        <Col span={10}>
          <Typography.Text strong>{t('request.cameras')}</Typography.Text>{' '}
          <Typography.Text type="secondary">{t('request.camerasPicked', { count: cameraIds.length })}</Typography.Text>
          {cameraError && !cameraIds.length && <div><Typography.Text type="danger">{cameraError}</Typography.Text></div>}
          <CameraTree catalogue={catalogue} checkable checked={cameraIds} onCheck={setCameraIds} height={560} />
        </Col>
      </Row>
    </Drawer>
  );
}
