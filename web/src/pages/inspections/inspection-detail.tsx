// One inspection: the checklist with each item's status, articles and evidence; findings; the
// rectification orders with their deadline, the unit's report and the police's follow-up;
// penalties within the ranges of the profile's articles.
import { Button, Drawer, Input, Space, Table, Tag, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { DutyRecords, ObstructionForm } from './duty-records';
import { Penalties } from './penalties';
import { day, supervisionApi, type ChecklistItem, type InspectionView, type RectificationView } from '../systems/supervision-api';

const STATUS_COLOUR: Record<string, string> = { pass: 'green', fail: 'red', 'not-measured': 'default', 'not-applicable': 'default', 'no-target': 'default', 'to-observe': 'gold' };

export function InspectionDetail({ id, onClose, onChanged }: { id: number | null; onClose(): void; onChanged(): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const ins = useAsync(async () => (id === null ? null : supervisionApi.inspections.get(id)), [id]);
  const [chosen, setChosen] = useState<number[]>([]);
  const [due, setDue] = useState<Dayjs | null>(null);
  const [note, setNote] = useState('');
  const police = me.roles.some((r) => r.role === 'supervisor');
  const unitAdmin = holds(me, 'config:write');

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      ins.reload();
      onChanged();
    } catch (e) {
      report(e);
    }
  };

  function body(v: InspectionView) {
    const open = v.state === 'open';
    return (
      <Space direction="vertical" style={{ width: '100%' }} size={16}>
        <Table<ChecklistItem>
          data-testid="checklist"
          size="small"
          rowKey="key"
          pagination={false}
          dataSource={v.checklist}
          columns={[
            { title: t('supervision.inspections.item'), dataIndex: 'key', render: (k: string) => t(`supervision.item.${k}`) },
            { title: t('supervision.systems.state'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLOUR[s]} data-testid="item-status">{t(`supervision.status.${s}`)}</Tag> },
            { title: t('common.articles'), dataIndex: 'articles', render: (a: string[]) => <ArticleTags articles={a} /> },
            {
              title: t('supervision.inspections.evidence'),
              key: 'evidence',
              render: (_: unknown, i) => (
                <div>
                  <div>{i.evidence}</div>
                  {i.problems.map((p, n) => <div key={n}><Typography.Text type="danger">{p.name ? `${p.name}: ` : ''}{p.problem}</Typography.Text></div>)}
                </div>
              ),
            },
            {
              title: '',
              key: 'act',
              width: 150,
              render: (_: unknown, i) =>
                police && open ? (
                  i.status === 'to-observe' ? (
                    <Space size={4}>
                      <Button size="small" onClick={() => act(() => supervisionApi.inspections.observe(v.id, i.key, true, t('supervision.inspections.seen')))}>{t('supervision.inspections.seen')}</Button>
                      <Button size="small" danger onClick={() => act(() => supervisionApi.inspections.observe(v.id, i.key, false, t('supervision.inspections.notKept')))}>{t('supervision.inspections.notKept')}</Button>
                    </Space>
                  ) : i.status === 'fail' && !v.findings.some((f) => f.itemKey === i.key) ? (
                    <Button size="small" data-testid={`finding-${i.key}`} onClick={() => act(() => supervisionApi.inspections.finding(v.id, i.key, i.problems.map((p) => p.problem).join('; ') || i.evidence))}>
                      {t('supervision.inspections.addFinding')}
                    </Button>
                  ) : null
                ) : null,
            },
          ]}
        />
        {police && open && <ObstructionForm inspectionId={v.id} onDone={() => { ins.reload(); onChanged(); }} />}
        <DutyRecords unitId={v.unitId} mayRecord={unitAdmin} onChanged={() => act(async () => { if (police && open) await supervisionApi.inspections.evaluate(v.id); })} />
        <Table
          data-testid="findings"
          size="small"
          rowKey="id"
          pagination={false}
          title={() => t('supervision.inspections.findings')}
          dataSource={v.findings}
          rowSelection={police && open ? { selectedRowKeys: chosen, onChange: (keys) => setChosen(keys as number[]) } : undefined}
          columns={[
            { title: t('supervision.inspections.item'), dataIndex: 'itemKey', render: (k: string) => t(`supervision.item.${k}`) },
            { title: t('common.articles'), dataIndex: 'articles', render: (a: string[]) => <ArticleTags articles={a} /> },
            { title: t('supervision.inspections.description'), dataIndex: 'description' },
          ]}
        />
        {police && open && (
          <Space wrap>
            <DatePicker data-testid="order-due" value={due} onChange={setDue} placeholder={t('supervision.inspections.dueDate')} />
            <Button
              type="primary"
              data-testid="order-rectification"
              disabled={!chosen.length || !due}
              onClick={() => act(async () => { await supervisionApi.inspections.order(v.id, chosen, due!.endOf('day').valueOf(), t('supervision.inspections.correctWithin')); setChosen([]); })}
            >
              {t('supervision.inspections.order')}
            </Button>
            <Button data-testid="evaluate" onClick={() => act(() => supervisionApi.inspections.evaluate(v.id))}>{t('supervision.inspections.evaluate')}</Button>
            <Button data-testid="close-inspection" onClick={() => act(() => supervisionApi.inspections.close(v.id))}>{t('supervision.inspections.close')}</Button>
          </Space>
        )}
        <Table<RectificationView>
          data-testid="rectifications"
          size="small"
          rowKey="id"
          pagination={false}
          title={() => t('supervision.inspections.orders')}
          dataSource={v.rectifications}
          columns={[
            { title: t('common.articles'), dataIndex: 'articles', render: (a: string[]) => <ArticleTags articles={a} /> },
            { title: t('supervision.due'), dataIndex: 'dueAt', render: day },
            {
              title: t('supervision.systems.state'),
              key: 'state',
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Tag data-testid="order-state" color={r.state === 'closed' ? 'green' : 'blue'}>{t(`supervision.order.${r.state}`)}</Tag>
                  {r.overdue && <Tag color="red">{t('supervision.filingState.overdue')}</Tag>}
                </Space>
              ),
            },
            { title: t('supervision.inspections.report'), dataIndex: 'reportNote', render: (n: string | null) => n ?? '—' },
            {
              title: '',
              key: 'act',
              render: (_: unknown, r) => (
                <Space size={4}>
                  {unitAdmin && r.state === 'open' && (
                    <>
                      <Input size="small" data-testid="report-note" style={{ width: 160 }} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('supervision.inspections.whatCorrected')} />
                      <Button size="small" data-testid="report-corrected" disabled={!note.trim()} onClick={() => act(async () => { await supervisionApi.rectifications.report(r.id, note); setNote(''); })}>{t('supervision.inspections.reportCorrected')}</Button>
                    </>
                  )}
                  {police && r.state === 'reported' && (
                    <>
                      <Button size="small" type="primary" data-testid="verify-corrected" onClick={() => act(() => supervisionApi.rectifications.followUp(r.id, true, t('supervision.inspections.verified')))}>{t('supervision.inspections.verifyCorrected')}</Button>
                      <Button size="small" danger onClick={() => act(() => supervisionApi.rectifications.followUp(r.id, false, t('supervision.inspections.notCorrected')))}>{t('supervision.inspections.notCorrected')}</Button>
                    </>
                  )}
                </Space>
              ),
            },
          ]}
        />
        <Penalties inspection={v} police={police} onChanged={() => { ins.reload(); onChanged(); }} />
      </Space>
    );
  }

  return (
    <Drawer open={id !== null} onClose={onClose} width={1000} title={t('supervision.inspections.title')} destroyOnHidden>
      {ins.data && body(ins.data)}
    </Drawer>
  );
}
