// Where a role reaches: an organisation and its whole subtree, or (value 0) the whole platform.
import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Organisation } from '../../api/types';
import { useOrgName } from '../../common/names';
import { toSelectTree } from '../../common/reference-data';

/** The form's value for "the whole platform" (the API's null organisation). */
export const WHOLE_PLATFORM = 0;

export const toOrganisationId = (v: number | undefined): number | null => (v === undefined || v === WHOLE_PLATFORM ? null : v);

export function ScopeSelect(props: { organisations: readonly Organisation[]; value?: number; onChange?(v: number): void; platformWide?: boolean; testId?: string; id?: string }) {
  const { t } = useTranslation();
  const orgName = useOrgName();
  const tree = useMemo(() => {
    const orgs = toSelectTree(props.organisations, (o) => orgName(o));
    return props.platformWide ? [{ value: WHOLE_PLATFORM, title: t('users.wholePlatform'), children: [] }, ...orgs] : orgs;
  }, [props.organisations, props.platformWide, orgName, t]);
  return (
    <TreeSelect
      id={props.id}
      treeData={tree}
      value={props.value}
      onChange={props.onChange}
      treeDefaultExpandAll
      showSearch
      treeNodeFilterProp="title"
      data-testid={props.testId}
      placeholder={t('users.pickScope')}
    />
  );
}
