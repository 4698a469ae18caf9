// One access request and what the signed-in person may do to it: an officer confirms with their
// own sign-in, the requester attaches the document and submits, an approver approves or refuses
// with a reason. When a rule refuses, the refusal stays on screen with its articles.
import { Alert, Button, Descriptions, Drawer, Input, List, Modal, Space, Spin, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessApi, type AccessRequest } from '../../api/access';
import { ApiError } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { detailText, errorText, messageOf, useErrorReporter } from '../../common/error-report';
import { useOrganisations } from '../../common/reference-data';
import { useOrgName } from '../../common/names';
import { useAsync } from '../../common/use-async';
import { holds, useMe } from '../../session/session';
import { navigate } from '../../shell/router';
import { ExportDialog } from '../exports/export-dialog';
import { DOCUMENT_TYPES } from './request-form';
import { RequestPreview } from './request-preview';
import { formatTime, StateTag } from './request-state';

export function RequestDetail({ id, onClose, onChanged }: { id: number; onClose(): void; onChanged(): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const orgs = useOrganisations();
  const { catalogue } = useCameraCatalogue();
  const loaded = useAsync(() => accessApi.requests.get(id), [id]);
  const [current, setCurrent] = useState<AccessRequest>();
  const [refusal, setRefusal] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState('');
  const [exporting, setExporting] = useState(false);
  const r = current ?? loaded.data;

  const act = async (name: string, run: () => Promise<AccessRequest>) => {
    setBusy(name);
    setRefusal(undefined);
    try {
      setCurrent(await run());
      onChanged();
      return true;
    } catch (e) {
      if (e instanceof ApiError) setRefusal(e);
      report(e);
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  if (!r) {
    return (
      <Drawer open width={760} onClose={onClose} title={`#${id}`}>
        {loaded.error ? <Alert type="error" message={messageOf(t, loaded.error)} /> : <Spin />}
      </Drawer>
    );
  }

  const isRequester = r.requesterId === me.userId;
  const myOfficer = r.officers.find((o) => o.userId === me.userId);
  const takesPart = isRequester || !!myOfficer;
  const mayDecide = r.state === 'submitted' && holds(me, 'access-request:approve') && !takesPart;

  const actions = (
    <Space wrap>
      {r.state === 'draft' && myOfficer && myOfficer.confirmedAt === null && (
        <Button type="primary" loading={busy === 'confirm'} onClick={() => void act('confirm', () => accessApi.requests.confirm(r.id))} data-testid="request-confirm">
          {t('request.actions.confirm')}
        </Button>
      )}
      {r.state === 'draft' && isRequester && (
        <Button type="primary" loading={busy === 'submit'} onClick={() => void act('submit', () => accessApi.requests.submit(r.id))} data-testid="request-submit">
          {t('request.actions.submit')}
        </Button>
      )}
      {mayDecide && (
        <>
          <Button type="primary" loading={busy === 'approve'} onClick={() => void act('approve', () => accessApi.requests.approve(r.id))} data-testid="request-approve">
            {t('request.actions.approve')}
          </Button>
          <Button danger onClick={() => setRefusing(true)} data-testid="request-refuse">{t('request.actions.refuse')}</Button>
        </>
      )}
      {(r.state === 'approved' || r.state === 'in_use') && (r.kind === 'copy' || r.kind === 'retrieve') && takesPart && holds(me, 'footage:copy', 'footage:retrieve') && (
        <Button type="primary" onClick={() => setExporting(true)} data-testid="request-export">{t('exports.dialog')}</Button>
      )}
      {(r.state === 'approved' || r.state === 'in_use') && isRequester && (
        <Button loading={busy === 'close'} onClick={() => void act('close', () => accessApi.requests.close(r.id))}>{t('request.actions.close')}</Button>
      )}
    </Space>
  );

  return (
    <Drawer open width={760} onClose={onClose} title={<Space>{`#${r.id} ${t(`request.kinds.${r.kind}`)}`}<StateTag state={r.state} /></Space>} extra={actions} data-testid="request-detail">
      <ExportDialog open={exporting} preset={{ requestId: r.id }} onClose={() => setExporting(false)} onStarted={() => navigate('/exports')} />
      {refusal && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('request.refusedBy', { code: refusal.code })}
          description={<><div title={refusal.message}>{errorText(t, refusal)}</div>{refusal.details.map((d, i) => <div key={i}>{detailText(t, d)}</div>)}<ArticleTags articles={refusal.articles} label /></>}
          data-testid="request-refusal"
        />
      )}
      {r.state === 'refused' && r.decisionReason && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('request.refusalReason')} description={r.decisionReason} data-testid="decision-reason" />
      )}
      <Descriptions column={2} size="small" bordered>
        <Descriptions.Item label={t('request.requesterKind')}>{t(`request.requesterKinds.${r.requesterKind}`, { defaultValue: r.requesterKind })}</Descriptions.Item>
        <Descriptions.Item label={t('request.requestingUnit')}>{r.requestingUnit}</Descriptions.Item>
        <Descriptions.Item label={t('request.purpose')} span={2}>{r.purpose}</Descriptions.Item>
        <Descriptions.Item label={t('request.caseNumber')}>{r.caseNumber ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('request.destination')}>{r.destination}</Descriptions.Item>
        <Descriptions.Item label={t('request.custodian')}>{orgName(orgs.byId.get(r.custodianId), `#${r.custodianId}`)}</Descriptions.Item>
        <Descriptions.Item label={t('request.profile')}>{r.profileId}</Descriptions.Item>
        <Descriptions.Item label={t('request.range')} span={2}>{formatTime(r.from)} – {formatTime(r.to)}</Descriptions.Item>
        <Descriptions.Item label={t('request.cameras')} span={2}>
          <Space size={[4, 4]} wrap data-testid="request-cameras">{r.cameras.map((c) => <Tag key={c.id} title={c.gbId ?? undefined}>{c.name ?? catalogue.byId.get(c.id)?.name ?? `#${c.id}`}</Tag>)}</Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('request.validUntil')}>{formatTime(r.validUntil)}</Descriptions.Item>
        <Descriptions.Item label={t('request.created')}>{formatTime(r.createdAt)}</Descriptions.Item>
      </Descriptions>

      {mayDecide && (
        <>
          <Typography.Title level={5} style={{ marginTop: 20 }}>{t('request.previewTitle')}</Typography.Title>
          <RequestPreview r={r} />
        </>
      )}

      <Typography.Title level={5} style={{ marginTop: 20 }}>{t('request.rules')}</Typography.Title>
      <List size="small" bordered data-testid="request-requirements">
        <List.Item>
          <Space>{t('request.needOfficers', { count: r.requirements.officers.count })}{r.requirements.officers.article && <ArticleTags articles={[r.requirements.officers.article]} />}</Space>
        </List.Item>
        {r.requirements.approvals.map((a, i) => {
          const given = r.approvals.find((x) => x.role === a.role);
          return (
            <List.Item key={i}>
              <Space>
                {t('request.needApproval', { role: t(`enum.accountRole.${a.role}`, { defaultValue: a.role }) })}
                <Tag data-testid="approval-side">{t(`request.side.${a.side}`)}</Tag>
                {a.article && <ArticleTags articles={[a.article]} />}
                {given ? <Tag color="green">{t('request.approvedAt', { time: formatTime(given.at) })}</Tag> : <Tag>{t('request.pending')}</Tag>}
              </Space>
            </List.Item>
          );
        })}
        {r.requirements.approvals.length === 0 && <List.Item>{t('request.noApproval')}</List.Item>}
        <List.Item>
          <Space>{r.requirements.document.required ? t('request.documentRequired') : t('request.documentOptional')}{r.requirements.document.article && <ArticleTags articles={[r.requirements.document.article]} />}</Space>
        </List.Item>
      </List>

      <Typography.Title level={5} style={{ marginTop: 20 }}>{t('request.officers')}</Typography.Title>
      <List
        size="small"
        bordered
        dataSource={r.officers}
        locale={{ emptyText: t('request.noOfficers') }}
        data-testid="request-officers"
        renderItem={(o) => (
          <List.Item>
            <Space>
              {o.displayName && <Typography.Text strong>{o.displayName}</Typography.Text>}
              <Typography.Text code>{o.workId}</Typography.Text>
              {o.organisationName && <Typography.Text type="secondary">{o.organisationName}</Typography.Text>}
              {o.confirmedAt ? <Tag color="green">{t('request.confirmedAt', { time: formatTime(o.confirmedAt) })}</Tag> : <Tag color="orange">{t('request.unconfirmed')}</Tag>}
              {o.userId === me.userId && <Tag color="blue">{t('request.you')}</Tag>}
            </Space>
          </List.Item>
        )}
      />

      <Typography.Title level={5} style={{ marginTop: 20 }}>{t('request.document')}</Typography.Title>
      <Space direction="vertical">
        {r.document ? (
          <Space>
            <a href={accessApi.requests.documentUrl(r.id)} target="_blank" rel="noreferrer" data-testid="request-document">{t('request.openDocument')}</a>
            <Typography.Text type="secondary" copyable={{ text: r.document.sha256 }}>SHA-256 {r.document.sha256.slice(0, 16)}…</Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('request.noDocument')}</Typography.Text>
        )}
        {r.state === 'draft' && isRequester && (
          <Upload
            accept={DOCUMENT_TYPES.join(',')}
            showUploadList={false}
            beforeUpload={(f) => {
              void act('document', () => accessApi.requests.attachDocument(r.id, f));
              return false;
            }}
          >
            <Button loading={busy === 'document'} data-testid="request-upload">{r.document ? t('request.replaceDocument') : t('request.pickDocument')}</Button>
          </Upload>
        )}
      </Space>

      <Modal
        open={refusing}
        title={t('request.refuseTitle')}
        okText={t('request.actions.refuse')}
        okButtonProps={{ danger: true, disabled: !reason.trim(), loading: busy === 'refuse' }}
        onCancel={() => setRefusing(false)}
        onOk={async () => {
          if (await act('refuse', () => accessApi.requests.refuse(r.id, reason.trim()))) setRefusing(false);
        }}
      >
        <Typography.Paragraph type="secondary">{t('request.refuseHelp')}</Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="refuse-reason" />
      </Modal>
    </Drawer>
  );
}
