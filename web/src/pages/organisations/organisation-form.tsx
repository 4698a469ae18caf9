// Create a platform (a level of the network) or a unit (an organisation with duties in a region).
import { Checkbox, Form, Input, Modal, Select, TreeSelect } from 'antd';
import { useFeedback } from '../../common/feedback';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { PLATFORM_LEVELS, UNIT_ROLES, type Organisation, type OrganisationInput, type PlatformLevel, type ProfileSummary, type UnitRole } from '../../api/types';
import { useErrorReporter } from '../../common/error-report';
import { useLocalName, useOrgName } from '../../common/names';
import { toSelectTree } from '../../common/reference-data';

interface Values {
  name: string;
  nameEn?: string;
  level?: PlatformLevel;
  unitRoles?: UnitRole[];
  parentId?: number;
  regionCode?: string;
  profileId?: string;
  gbId?: string;
  contact?: string;
}

const blankToNull = (s: string | undefined) => (s && s.trim() ? s.trim() : null);

export function OrganisationForm(props: {
  kind: 'platform' | 'unit' | undefined;
  parentId?: number;
  platforms: Organisation[];
  profiles: ProfileSummary[];
  onClose(): void;
  onSaved(o: Organisation): void;
}) {
  const { kind, platforms } = props;
  const { t } = useTranslation();
  const { message } = useFeedback();
  const report = useErrorReporter();
  const orgName = useOrgName();
  const localName = useLocalName();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  // The title keeps the last kind while the dialog animates closed.
  const [shownKind, setShownKind] = useState<'platform' | 'unit'>('platform');
  useEffect(() => {
    if (!kind) return;
    setShownKind(kind);
    form.resetFields();
    form.setFieldsValue({ parentId: props.parentId, unitRoles: kind === 'unit' ? ['user'] : undefined });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind, props.parentId]);

  const parentTree = useMemo(
    () => toSelectTree(platforms, (o) => `${orgName(o)}${o.level ? ` · ${t(`enum.level.${o.level}`)}` : ''}`),
    [platforms, orgName, t],
  );

  const submit = async (v: Values) => {
    if (!kind) return;
    setSaving(true);
    const input: OrganisationInput = {
      kind,
      name: v.name,
      nameEn: blankToNull(v.nameEn),
      parentId: v.parentId ?? null,
      regionCode: blankToNull(v.regionCode),
      profileId: v.profileId ?? null,
      gbId: blankToNull(v.gbId),
      contact: blankToNull(v.contact),
      ...(kind === 'platform' ? { level: v.level ?? null } : { unitRoles: v.unitRoles ?? [] }),
    };
    try {
      const saved = await api.organisations.create(input);
      message.success(t('organisations.form.created', { name: saved.name }));
      props.onSaved(saved);
    } catch (e) {
      report(e, form);
    } finally {
      setSaving(false);
    }
  };

  const shown = kind ?? shownKind;
  const required = { required: true, message: t('form.required') };
  return (
    <Modal
      open={kind !== undefined}
      title={shown === 'unit' ? t('organisations.newUnit') : t('organisations.newPlatform')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      width={600}
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid="organisation-form">
        <Form.Item name="name" label={t('organisation.name')} rules={[required]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('organisation.nameEn')}>
          <Input maxLength={200} />
        </Form.Item>
        {shown === 'platform' ? (
          <Form.Item name="level" label={t('organisation.level')} rules={[required]}>
            <Select options={PLATFORM_LEVELS.map((l) => ({ value: l, label: t(`enum.level.${l}`) }))} />
          </Form.Item>
        ) : (
          <Form.Item name="unitRoles" label={t('organisation.unitRoles')} rules={[required]}>
            <Checkbox.Group options={UNIT_ROLES.map((r) => ({ value: r, label: t(`enum.role.${r}`) }))} />
          </Form.Item>
        )}
        <Form.Item
          name="parentId"
          label={shown === 'unit' ? t('organisation.region') : t('organisation.parent')}
          rules={shown === 'unit' ? [required] : []}
          extra={shown === 'platform' ? t('organisations.form.parentHelp') : undefined}
        >
          <TreeSelect allowClear treeData={parentTree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
        </Form.Item>
        <Form.Item name="regionCode" label={t('organisation.regionCode')} extra={t('organisations.form.regionCodeHelp')}>
          <Input maxLength={8} />
        </Form.Item>
        {shown === 'platform' && (
          <>
            <Form.Item name="profileId" label={t('organisation.profile')} extra={t('organisations.form.profileHelp')}>
              <Select allowClear options={props.profiles.map((p) => ({ value: p.id, label: `${localName(p.name)} (${p.id})` }))} />
            </Form.Item>
            <Form.Item name="gbId" label={t('organisation.gbId')}>
              <Input maxLength={20} />
            </Form.Item>
          </>
        )}
        <Form.Item name="contact" label={t('organisation.contact')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
