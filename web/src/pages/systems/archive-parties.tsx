// The archive's firms and technicians (立卷归档, CN-14, HRB-17), per system: who designed, built,
// tested, supervised and maintains it. Reading it is reading basic information and is registered.
import { Button, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { day, PARTY_ROLES, supervisionApi, type PartyView, type Technician } from './supervision-api';

/** "张工 高级工程师" or "张工, 高级工程师", one technician a line; the first word is the name. */
export function parseTechnicians(text: string): Technician[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^([^,，\s]+)[,，\s]*(.*)$/.exec(l)!;
      return { name: m[1]!, qualification: m[2]!.trim() };
    });
}

export function ArchiveParties({ systemId, canManage }: { systemId: number; canManage: boolean }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const archive = useAsync(() => supervisionApi.systems.archive(systemId), [systemId]);
  const [role, setRole] = useState<string>('builder');
  const [firm, setFirm] = useState('');
  const [licence, setLicence] = useState('');
  const [technicians, setTechnicians] = useState('');

  const add = async () => {
    try {
      await supervisionApi.systems.addParty(systemId, { role, firm: firm.trim(), licence: licence.trim(), technicians: parseTechnicians(technicians) });
      setFirm('');
      setLicence('');
      setTechnicians('');
      archive.reload();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table<PartyView>
        size="small"
        rowKey="id"
        data-testid="archive-parties"
        pagination={false}
        loading={archive.loading}
        title={() => (
          <Space>
            {t('supervision.archive.parties')}
            <ArticleTags articles={archive.data?.articles ?? []} />
          </Space>
        )}
        dataSource={archive.data?.parties ?? []}
        columns={[
          { title: t('supervision.archive.role'), dataIndex: 'role', render: (r: string) => <Tag>{t(`supervision.archive.roles.${r}`)}</Tag> },
          { title: t('supervision.archive.firm'), dataIndex: 'firm' },
          { title: t('supervision.archive.licence'), dataIndex: 'licence', render: (l: string) => l || '—' },
          { title: t('supervision.archive.technicians'), dataIndex: 'technicians', render: (ts: Technician[]) => ts.map((x) => (x.qualification ? `${x.name}（${x.qualification}）` : x.name)).join('、') || '—' },
          { title: t('supervision.archive.addedAt'), dataIndex: 'addedAt', render: day },
        ]}
      />
      {canManage && (
        <Space wrap align="start">
          <Select data-testid="party-role" style={{ width: 140 }} value={role} onChange={setRole} options={PARTY_ROLES.map((r) => ({ value: r, label: t(`supervision.archive.roles.${r}`) }))} />
          <Input data-testid="party-firm" style={{ width: 200 }} placeholder={t('supervision.archive.firm')} value={firm} onChange={(e) => setFirm(e.target.value)} />
          <Input data-testid="party-licence" style={{ width: 160 }} placeholder={t('supervision.archive.licence')} value={licence} onChange={(e) => setLicence(e.target.value)} />
          <Input.TextArea data-testid="party-technicians" style={{ width: 240 }} rows={2} placeholder={t('supervision.archive.techniciansHelp')} value={technicians} onChange={(e) => setTechnicians(e.target.value)} />
          <Button data-testid="add-party" disabled={!firm.trim()} onClick={() => void add()}>{t('supervision.archive.addParty')}</Button>
        </Space>
      )}
    </Space>
  );
}
