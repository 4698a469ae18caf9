// Removal and relocation notices of one system (R7.3): filed the profile's days ahead with the
// rebuild or replacement plan (AH-15, HB-11, HRB-19); after the works, whether coverage came
// back in the profile's hours as the recorder saw it; what happens to the stored footage, and
// the police's supervision of it (AH-15).
import { Button, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { day, DISPOSITIONS, supervisionApi, type RelocationView, type SystemView } from './supervision-api';

const COVERAGE_COLOUR: Record<string, string> = { restored: 'green', 'restored-late': 'orange', pending: 'blue', overdue: 'red' };

export function Relocations({ system, canManage, police }: { system: SystemView; canManage: boolean; police: boolean }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const list = useAsync(() => supervisionApi.systems.relocations(system.id), [system.id]);
  const [kind, setKind] = useState<'relocation' | 'removal'>('relocation');
  const [cameraIds, setCameraIds] = useState<number[]>([]);
  const [planned, setPlanned] = useState<Dayjs | null>(null);
  const [plan, setPlan] = useState('');
  const [disposition, setDisposition] = useState<Record<number, string>>({});

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      list.reload();
    } catch (e) {
      report(e);
    }
  };

  const fileNotice = () =>
    act(async () => {
      // Noon China time of the chosen day, so the day shown is the day counted.
      const plannedAt = Date.parse(`${planned!.format('YYYY-MM-DD')}T12:00:00+08:00`);
      await supervisionApi.systems.notice(system.id, { kind, cameraIds, plannedAt, plan: plan.trim() });
      setCameraIds([]);
      setPlanned(null);
      setPlan('');
    });

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table<RelocationView>
        size="small"
        rowKey="id"
        data-testid="relocations"
        pagination={false}
        loading={list.loading}
        title={() => t('supervision.relocation.title')}
        dataSource={list.data?.items ?? []}
        columns={[
          { title: t('supervision.relocation.kind'), dataIndex: 'kind', render: (k: string) => t(`supervision.relocation.kinds.${k}`) },
          { title: t('supervision.systems.cameras'), dataIndex: 'cameraIds', render: (ids: number[]) => ids.map((c) => system.cameras.find((x) => x.id === c)?.name ?? c).join('、') },
          { title: t('supervision.relocation.planned'), dataIndex: 'plannedAt', render: day },
          {
            title: t('supervision.relocation.notice'),
            key: 'notice',
            render: (_: unknown, r) => (
              <Space direction="vertical" size={0} data-testid="notice-check">
                <Space size={4}>
                  <Tag color={r.inTime ? 'green' : 'red'}>{r.inTime ? t('supervision.relocation.inTime') : t('supervision.relocation.late')}</Tag>
                  {r.noticeDays !== null && <span>{t('supervision.relocation.daysAhead', { days: r.noticeDays })}</span>}
                  <ArticleTags articles={r.noticeArticle ? [r.noticeArticle] : []} />
                </Space>
                <Typography.Text type="secondary">{t('supervision.relocation.noticeDue')} {r.noticeDays !== null ? day(r.plannedAt - r.noticeDays * 86_400_000) : '—'}</Typography.Text>
              </Space>
            ),
          },
          {
            title: t('supervision.relocation.coverage'),
            key: 'coverage',
            render: (_: unknown, r) =>
              r.coverage ? (
                <Space direction="vertical" size={0} data-testid="coverage-check">
                  <Space size={4}>
                    <Tag color={COVERAGE_COLOUR[r.coverage.state]}>{t(`supervision.relocation.coverageState.${r.coverage.state}`)}</Tag>
                    <ArticleTags articles={r.coverage.article ? [r.coverage.article] : []} />
                  </Space>
                  <Typography.Text type="secondary">
                    {r.coverage.dueAt !== null ? `${t('supervision.due')} ${new Date(r.coverage.dueAt + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}` : t('supervision.relocation.noDeadline')}
                  </Typography.Text>
                </Space>
              ) : r.kind === 'relocation' ? (
                <Typography.Text type="secondary">{t('supervision.relocation.afterWorks')}</Typography.Text>
              ) : null,
          },
          {
            title: t('supervision.relocation.footage'),
            key: 'footage',
            render: (_: unknown, r) =>
              r.disposition ? (
                <Space size={4} data-testid="footage-disposition">
                  <Tag>{t(`supervision.relocation.dispositions.${r.disposition}`)}</Tag>
                  {r.supervisedAt !== null && <Tag color="green">{t('supervision.relocation.supervised')}</Tag>}
                </Space>
              ) : '—',
          },
          {
            title: '',
            key: 'act',
            render: (_: unknown, r) => (
              <Space size={4} wrap>
                {canManage && r.worksAt === null && <Button size="small" data-testid="works-done" onClick={() => act(() => supervisionApi.relocations.works(r.id, Date.now()))}>{t('supervision.relocation.worksDone')}</Button>}
                {canManage && r.disposition === null && (
                  <>
                    <Select size="small" data-testid="disposition" style={{ width: 170 }} value={disposition[r.id]} placeholder={t('supervision.relocation.footage')} onChange={(v) => setDisposition({ ...disposition, [r.id]: v })} options={DISPOSITIONS.map((d) => ({ value: d, label: t(`supervision.relocation.dispositions.${d}`) }))} />
                    <Button size="small" data-testid="record-disposition" disabled={!disposition[r.id]} onClick={() => act(() => supervisionApi.relocations.dispose(r.id, disposition[r.id]!, ''))}>{t('common.save')}</Button>
                  </>
                )}
                {police && r.disposition !== null && r.supervisedAt === null && <Button size="small" data-testid="supervise-footage" onClick={() => act(() => supervisionApi.relocations.supervise(r.id))}>{t('supervision.relocation.supervise')}</Button>}
              </Space>
            ),
          },
        ]}
      />
      {canManage && (
        <Space wrap align="start" data-testid="notice-form">
          <Select data-testid="notice-kind" style={{ width: 120 }} value={kind} onChange={setKind} options={(['relocation', 'removal'] as const).map((k) => ({ value: k, label: t(`supervision.relocation.kinds.${k}`) }))} />
          <Select
            mode="multiple"
            data-testid="notice-cameras"
            style={{ minWidth: 200 }}
            placeholder={t('supervision.systems.cameras')}
            value={cameraIds}
            onChange={setCameraIds}
            options={system.cameras.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
            optionFilterProp="label"
          />
          <DatePicker data-testid="notice-planned" value={planned} onChange={setPlanned} placeholder={t('supervision.relocation.planned')} />
          <Input.TextArea data-testid="notice-plan" style={{ width: 260 }} rows={2} placeholder={t('supervision.relocation.plan')} value={plan} onChange={(e) => setPlan(e.target.value)} />
          <Button type="primary" data-testid="file-notice" disabled={!cameraIds.length || !planned || !plan.trim()} onClick={() => void fileNotice()}>{t('supervision.relocation.file')}</Button>
        </Space>
      )}
    </Space>
  );
}
