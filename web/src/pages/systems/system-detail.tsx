// One system in a drawer: why its cameras are not in service (with articles), its cameras and
// documents, acceptance, going into service and filing; the archive's firms and technicians, and
// removal or relocation notices once it is in service.
import { Alert, Button, Descriptions, Drawer, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { useOrganisations } from '../../common/reference-data';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { ArchiveParties } from './archive-parties';
import { Relocations } from './relocations';
import { ARCHIVE_CATEGORIES, supervisionApi, day, type SystemView } from './supervision-api';

const PURPOSES = ['design-plan', 'test-report', 'acceptance', 'maintenance-contract', 'point-map', 'archive'] as const;

export function SystemDetail({ id, onClose, onChanged }: { id: number | null; onClose(): void; onChanged(): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const report = useErrorReporter();
  const sys = useAsync(async () => (id === null ? null : supervisionApi.systems.get(id)), [id]);
  const s = sys.data ?? null;
  const cams = useAsync(async () => (s ? (await api.cameras.list({ regionId: s.regionId, limit: 500 })).items : []), [s?.regionId]);
  const [add, setAdd] = useState<number[]>([]);
  const [purpose, setPurpose] = useState<string>('design-plan');
  const [category, setCategory] = useState<string>('construction');
  const [organisedBy, setOrganisedBy] = useState('');
  const canManage = holds(me, 'config:write');
  const police = me.roles.some((r) => r.role === 'supervisor');

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      sys.reload();
      onChanged();
    } catch (e) {
      report(e);
    }
  };
  const unit = (uid: number | null) => (uid ? orgName(orgs.byId.get(uid), String(uid)) : '—');

  return (
    <Drawer open={id !== null} onClose={onClose} width={900} title={s?.name} destroyOnHidden>
      {s && body(s)}
    </Drawer>
  );

  // A render function, not a component: a component declared here would remount on every
  // keystroke and lose the input's focus.
  function body(v: SystemView) {
    return (
      <Space direction="vertical" style={{ width: '100%' }} size={16} data-testid="system-detail">
        {v.serviceBlock && (
          <Alert
            type="warning"
            showIcon
            data-testid="service-block"
            message={t('supervision.systems.notInService')}
            description={<><div>{v.serviceBlock.message}</div><ArticleTags articles={v.serviceBlock.articles} label /></>}
          />
        )}
        <Descriptions size="small" column={2} bordered>
          <Descriptions.Item label={t('supervision.systems.state')}><span data-testid="system-state">{t(`supervision.state.${v.state}`)}</span></Descriptions.Item>
          <Descriptions.Item label={t('supervision.systems.profile')}>{v.profileId}</Descriptions.Item>
          <Descriptions.Item label={t('supervision.systems.userUnit')}>{unit(v.userUnitId)}</Descriptions.Item>
          <Descriptions.Item label={t('supervision.systems.maintainerUnit')}>{unit(v.maintainerUnitId)}</Descriptions.Item>
          <Descriptions.Item label={t('supervision.systems.acceptance')} span={2}>
            <Space wrap>
              {v.acceptance ? <Tag color={v.acceptance === 'passed' ? 'green' : 'red'}>{t(`supervision.acceptance.${v.acceptance}`)} {day(v.acceptedAt)}</Tag> : <Tag>{t('supervision.acceptance.none')}</Tag>}
              {v.acceptanceRequirement.required && <ArticleTags articles={v.acceptanceRequirement.articles} />}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('supervision.systems.filing')} span={2}>
            <Space wrap data-testid="filing-status">
              <Tag>{t(`supervision.filingState.${v.filing.state}`)}</Tag>
              {v.filing.deadline.dueAt !== null && <span>{t('supervision.due')} {day(v.filing.deadline.dueAt)}</span>}
              <Typography.Text type="secondary">{v.filing.deadline.basis}</Typography.Text>
            </Space>
          </Descriptions.Item>
        </Descriptions>

        <Table
          size="small"
          rowKey="id"
          data-testid="system-cameras"
          title={() => t('supervision.systems.cameras')}
          dataSource={v.cameras}
          pagination={false}
          columns={[
            { title: 'ID', dataIndex: 'id', width: 70 },
            { title: t('supervision.systems.name'), dataIndex: 'name' },
            { title: t('supervision.systems.state'), key: 'state', render: (_: unknown, c: SystemView['cameras'][number]) => (c.inService ? <Tag color="green">{t('supervision.state.in_service')}</Tag> : <Tag>{t(`enum.status.${c.status}`, c.status)}</Tag>) },
            { title: t('common.articles'), key: 'block', render: (_: unknown, c: SystemView['cameras'][number]) => (c.block ? <ArticleTags articles={c.block.articles} /> : null) },
          ]}
        />
        {canManage && (
          <Space wrap>
            <Select
              mode="multiple"
              style={{ minWidth: 320 }}
              data-testid="add-cameras"
              placeholder={t('supervision.systems.addCameras')}
              value={add}
              onChange={setAdd}
              options={(cams.data ?? []).filter((c) => !v.cameras.some((x) => x.id === c.id)).map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
              optionFilterProp="label"
            />
            <Button data-testid="add-cameras-button" disabled={!add.length} onClick={() => act(async () => { await supervisionApi.systems.cameras(v.id, add); setAdd([]); })}>{t('supervision.systems.addCameras')}</Button>
          </Space>
        )}

        <Table
          size="small"
          rowKey="id"
          data-testid="system-documents"
          title={() => t('supervision.systems.documents')}
          dataSource={v.documents}
          pagination={false}
          columns={[
            { title: t('supervision.systems.purpose'), dataIndex: 'purpose', render: (p: string) => t(`supervision.purpose.${p}`) },
            { title: t('supervision.systems.docTitle'), dataIndex: 'title', render: (x: string, d: SystemView['documents'][number]) => <a href={supervisionApi.systems.documentUrl(v.id, d.id)} target="_blank" rel="noreferrer">{x}</a> },
            { title: t('supervision.archive.category'), dataIndex: 'category', render: (c: string) => t(`supervision.archive.categories.${c}`) },
            { title: 'SHA-256', dataIndex: 'sha256', render: (h: string) => <Typography.Text code>{h.slice(0, 16)}…</Typography.Text> },
          ]}
        />
        {canManage && (
          <Space wrap>
            <Select data-testid="document-purpose" style={{ width: 200 }} value={purpose} onChange={setPurpose} options={PURPOSES.map((p) => ({ value: p, label: t(`supervision.purpose.${p}`) }))} />
            {purpose === 'archive' && (
              <Select data-testid="document-category" style={{ width: 160 }} value={category} onChange={setCategory} options={ARCHIVE_CATEGORIES.map((c) => ({ value: c, label: t(`supervision.archive.categories.${c}`) }))} />
            )}
            <input
              type="file"
              accept="application/pdf,image/png,image/jpeg"
              data-testid="document-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void act(() => supervisionApi.systems.upload(v.id, purpose, file.name, file, category));
              }}
            />
          </Space>
        )}

        <Space wrap>
          {(canManage || police) && v.acceptance !== 'passed' && (
            <>
              <Input data-testid="organised-by" style={{ width: 220 }} placeholder={t('supervision.systems.organisedBy')} value={organisedBy} onChange={(e) => setOrganisedBy(e.target.value)} />
              <Button data-testid="record-acceptance" disabled={!organisedBy.trim()} onClick={() => act(() => supervisionApi.systems.accept(v.id, { at: Date.now(), result: 'passed', organisedBy, note: '' }))}>
                {t('supervision.systems.recordPassed')}
              </Button>
            </>
          )}
          {canManage && v.state === 'building' && <Button type="primary" data-testid="put-in-service" onClick={() => act(() => supervisionApi.systems.inService(v.id, Date.now()))}>{t('supervision.systems.putInService')}</Button>}
          {canManage && <Button data-testid="file-system" onClick={() => act(() => supervisionApi.systems.file(v.id))}>{t('supervision.systems.file')}</Button>}
        </Space>

        <ArchiveParties systemId={v.id} canManage={canManage} />
        {v.state !== 'building' && <Relocations system={v} canManage={canManage} police={police} />}
      </Space>
    );
  }
}
