// A unit's duty records (issue 17 item 9) beside its inspection: design reviews, emergency plans,
// security checks, training and duty rosters, each with the articles of its duty. The unit's
// administrators add them; the server checks the dates and who may.
import { Button, Input, Select, Space, Table, Tag } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { day, DUTY_RECORD_KINDS, supervisionApi, type DutyRecord } from '../systems/supervision-api';

export function DutyRecords({ unitId, mayRecord, onChanged }: { unitId: number; mayRecord: boolean; onChanged(): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const list = useAsync(() => supervisionApi.dutyRecords.list(unitId).then((r) => r.items), [unitId]);
  const [kind, setKind] = useState<DutyRecord['kind']>('training');
  const [title, setTitle] = useState('');
  const [systemId, setSystemId] = useState('');
  const [held, setHeld] = useState<Dayjs | null>(null);
  const [until, setUntil] = useState<Dayjs | null>(null);

  const add = async () => {
    try {
      await supervisionApi.dutyRecords.record({
        kind, unitId, title: title.trim(), heldAt: held!.valueOf(), validUntil: until ? until.endOf('day').valueOf() : null, ...(systemId.trim() ? { systemId: Number(systemId) } : {}),
      });
      setTitle('');
      list.reload();
      onChanged();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table<DutyRecord>
        data-testid="duty-records"
        size="small"
        rowKey="id"
        pagination={false}
        title={() => t('supervision.dutyRecord.title')}
        dataSource={list.data ?? []}
        columns={[
          { title: t('supervision.dutyRecord.kind'), dataIndex: 'kind', render: (k: string) => t(`supervision.dutyRecord.kinds.${k}`) },
          { title: t('supervision.dutyRecord.what'), dataIndex: 'title' },
          { title: t('supervision.dutyRecord.held'), dataIndex: 'heldAt', render: day },
          { title: t('supervision.dutyRecord.until'), dataIndex: 'validUntil', render: (u: number | null) => (u === null ? '—' : day(u)) },
          { title: t('common.articles'), dataIndex: 'articles', render: (a: string[]) => <ArticleTags articles={a} /> },
          { title: '', dataIndex: 'inForce', render: (f: boolean) => <Tag color={f ? 'green' : 'default'}>{t(f ? 'supervision.dutyRecord.inForce' : 'supervision.dutyRecord.lapsed')}</Tag> },
        ]}
      />
      {mayRecord && (
        <Space wrap data-testid="duty-record-form">
          <Select style={{ width: 160 }} value={kind} onChange={setKind} options={DUTY_RECORD_KINDS.map((k) => ({ value: k, label: t(`supervision.dutyRecord.kinds.${k}`) }))} />
          <Input style={{ width: 220 }} value={title} onChange={(e) => setTitle(e.target.value)} placeholder={t('supervision.dutyRecord.what')} />
          {kind === 'design-review' && <Input style={{ width: 110 }} value={systemId} onChange={(e) => setSystemId(e.target.value)} placeholder={t('supervision.dutyRecord.systemId')} />}
          <DatePicker value={held} onChange={setHeld} placeholder={t('supervision.dutyRecord.held')} />
          <DatePicker value={until} onChange={setUntil} placeholder={t('supervision.dutyRecord.until')} />
          <Button data-testid="duty-record-add" disabled={!title.trim() || !held} onClick={() => void add()}>{t('supervision.dutyRecord.add')}</Button>
        </Space>
      )}
    </Space>
  );
}

/** The inspector reports a camera's view obstructed: a finding and the camera's work order. */
export function ObstructionForm({ inspectionId, onDone }: { inspectionId: number; onDone(): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [cameraId, setCameraId] = useState('');
  const [by, setBy] = useState<'sign' | 'pipe' | 'tree' | 'other'>('tree');
  const [description, setDescription] = useState('');
  const send = async () => {
    try {
      await supervisionApi.inspections.obstruction(inspectionId, { cameraId: Number(cameraId), by, description: description.trim() });
      setDescription('');
      onDone();
    } catch (e) {
      report(e);
    }
  };
  return (
    <Space wrap data-testid="obstruction-form">
      <Input style={{ width: 110 }} value={cameraId} onChange={(e) => setCameraId(e.target.value)} placeholder={t('supervision.obstruction.camera')} />
      <Select style={{ width: 120 }} value={by} onChange={setBy} options={(['sign', 'pipe', 'tree', 'other'] as const).map((k) => ({ value: k, label: t(`supervision.obstruction.by.${k}`) }))} />
      <Input style={{ width: 240 }} value={description} onChange={(e) => setDescription(e.target.value)} placeholder={t('supervision.obstruction.description')} />
      <Button danger disabled={!/^\d+$/.test(cameraId) || !description.trim()} onClick={() => void send()}>{t('supervision.obstruction.report')}</Button>
    </Space>
  );
}
