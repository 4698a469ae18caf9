// Register or edit a camera point: every field of the registry (R1.2). The server decides;
// its refusals land on the fields they name, with the articles behind them.
import { Alert, Button, Col, Drawer, Form, Input, InputNumber, Row, Select, Space, Switch, TreeSelect } from 'antd';
import { useFeedback } from '../../common/feedback';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { CAMERA_STATUSES, DEVICE_TYPES, FUNDING, type Camera, type CameraInput, type Organisation, type PlaceCategory, type RecordingWarning } from '../../api/types';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { toSelectTree } from '../../common/reference-data';
import type { Block } from '../systems/supervision-api';
import { categoryOptions, filterCategoryOption } from './category-options';

/** A warning from the server in the reader's language (its English message is the fallback). */
function recordingWarningText(t: (key: string, options?: Record<string, unknown>) => string, w: RecordingWarning): string {
  const status = w.params.status ? t(`enum.status.${w.params.status}`) : '';
  return t(`cameras.form.warning.${w.code}`, { status, defaultValue: w.message });
}

type FormValues = Omit<CameraInput, 'inServiceDate' | 'sourceUrl'> & { inServiceDate: string; sourceUrl: string };

const UNIT_FIELDS = ['ownerUnitId', 'userUnitId', 'managingUnitId', 'maintainerUnitId'] as const;

const EMPTY: Partial<FormValues> = {
  deviceType: 'fixed',
  funding: 'government',
  status: 'planned',
  keyPosition: false,
  signage: true,
  longitude: null,
  latitude: null,
  directionDeg: null,
  fovDeg: null,
  ownerUnitId: null,
  userUnitId: null,
  managingUnitId: null,
  maintainerUnitId: null,
  inServiceDate: '',
  sourceUrl: '',
};

export function toInput(v: FormValues): CameraInput {
  return {
    ...v,
    gbId: v.gbId.trim(),
    inServiceDate: v.inServiceDate ? v.inServiceDate : null,
    sourceUrl: v.sourceUrl?.trim() ? v.sourceUrl.trim() : null,
    longitude: v.longitude ?? null,
    latitude: v.latitude ?? null,
    directionDeg: v.directionDeg ?? null,
    fovDeg: v.fovDeg ?? null,
    ownerUnitId: v.ownerUnitId ?? null,
    userUnitId: v.userUnitId ?? null,
    managingUnitId: v.managingUnitId ?? null,
    maintainerUnitId: v.maintainerUnitId ?? null,
  };
}

export function CameraForm(props: {
  open: boolean;
  camera?: Camera;
  /** The camera's system has not passed acceptance: why it may not be recorded as in service. */
  held?: { system: string; block: Block };
  defaultRegionId?: number;
  platforms: Organisation[];
  units: Organisation[];
  categories: PlaceCategory[];
  onClose(): void;
  onSaved(c: Camera): void;
}) {
  const { open, camera, platforms, units, categories } = props;
  const { t } = useTranslation();
  const { message } = useFeedback();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (camera) form.setFieldsValue({ ...camera, inServiceDate: camera.inServiceDate ?? '', sourceUrl: camera.sourceUrl ?? '' });
    else form.setFieldsValue({ ...EMPTY, regionId: props.defaultRegionId });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, camera]);

  const regionTree = useMemo(() => toSelectTree(platforms, (o) => orgName(o)), [platforms, orgName]);
  const unitOptions = useMemo(() => units.map((u) => ({ value: u.id, label: orgName(u) })), [units, orgName]);
  const catOptions = useMemo(() => categoryOptions(categories), [categories]);

  const submit = async (values: FormValues) => {
    setSaving(true);
    try {
      const input = toInput(values);
      const saved = camera ? await api.cameras.update(camera.id, input) : await api.cameras.create(input);
      message.success(camera ? t('cameras.form.updated', { name: saved.name }) : t('cameras.form.created', { name: saved.name }));
      // The server says when the point will not be recorded as it stands (a planned camera with a stream address).
      for (const w of saved.warnings ?? []) message.warning(recordingWarningText(t, w), 8);
      props.onSaved(saved);
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };

  const required = { required: true, message: t('form.required') };
  const watchedUrl = Form.useWatch('sourceUrl', form);
  const watchedStatus = Form.useWatch('status', form);
  const notRecorded = Boolean(watchedUrl?.trim()) && watchedStatus !== undefined && watchedStatus !== 'in_service';
  return (
    <Drawer
      open={open}
      width={720}
      title={camera ? t('cameras.form.editTitle', { name: camera.name }) : t('cameras.form.createTitle')}
      onClose={props.onClose}
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="camera-form-submit">
            {camera ? t('common.save') : t('cameras.form.register')}
          </Button>
        </Space>
      }
    >
      {props.held && camera?.status !== 'in_service' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="camera-service-block"
          message={t('cameras.form.heldBack', { system: props.held.system })}
          description={<><div>{props.held.block.message}</div><ArticleTags articles={props.held.block.articles} label /></>}
        />
      )}
      <Form form={form} layout="vertical" onFinish={submit} data-testid="camera-form" requiredMark>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="gbId" label={t('camera.gbId')} rules={[required, { pattern: /^\d{20}$/, message: t('cameras.form.gbIdDigits') }]} extra={t('cameras.form.gbIdHelp')}>
              <Input maxLength={20} placeholder="34010000001320000001" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="name" label={t('camera.name')} rules={[required]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="deviceType" label={t('camera.deviceType')} rules={[required]}>
              <Select options={DEVICE_TYPES.map((d) => ({ value: d, label: t(`enum.deviceType.${d}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="status" label={t('camera.status')} rules={[required]}>
              <Select options={CAMERA_STATUSES.map((s) => ({ value: s, label: t(`enum.status.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="placeCategory" label={t('camera.placeCategory')} rules={[required]}>
              <Select showSearch options={catOptions} filterOption={filterCategoryOption} optionFilterProp="search" data-testid="place-category-select" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="address" label={t('camera.address')} rules={[required]}>
              <Input maxLength={500} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="longitude" label={t('camera.longitude')}>
              <InputNumber min={-180} max={180} step={0.000001} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="latitude" label={t('camera.latitude')}>
              <InputNumber min={-90} max={90} step={0.000001} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="directionDeg" label={t('camera.directionDeg')} tooltip={t('cameras.form.directionHelp')}>
              <InputNumber min={0} max={359.999} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="fovDeg" label={t('camera.fovDeg')}>
              <InputNumber min={0.001} max={360} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="regionId" label={t('camera.region')} rules={[required]}>
              <TreeSelect treeData={regionTree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" data-testid="region-select" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="keyPosition" label={t('camera.keyPosition')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="signage" label={t('camera.signage')} valuePropName="checked" tooltip={t('cameras.form.signageHelp')}>
              <Switch />
            </Form.Item>
          </Col>
          {UNIT_FIELDS.map((f) => (
            <Col span={12} key={f}>
              <Form.Item name={f} label={t(`camera.${f}`)}>
                <Select allowClear showSearch optionFilterProp="label" options={unitOptions} />
              </Form.Item>
            </Col>
          ))}
          <Col span={8}>
            <Form.Item name="funding" label={t('camera.funding')} rules={[required]}>
              <Select options={FUNDING.map((f) => ({ value: f, label: t(`enum.funding.${f}`) }))} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="inServiceDate" label={t('camera.inServiceDate')}>
              <Input type="date" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="sourceUrl" label={t('camera.sourceUrl')} extra={t('cameras.form.sourceUrlHelp')}>
              <Input maxLength={2000} placeholder="rtsp://192.0.2.10:554/stream1" />
            </Form.Item>
            {notRecorded && (
              <Alert
                type="warning"
                showIcon
                data-testid="camera-not-recorded"
                message={recordingWarningText(t, { code: 'NOT_RECORDED_STATUS', params: { status: watchedStatus }, message: '' })}
              />
            )}
          </Col>
        </Row>
      </Form>
    </Drawer>
  );
}
