// The deployment's jurisdiction profile cites a draft or an expired text: every page says so,
// since every rule the console applies cites that profile (the law as enacted, Decree 799).
import { Alert } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { LegalStanding } from '../api/types';
import { useLocalName } from '../common/names';

export function LegalStandingBanner() {
  const { t } = useTranslation();
  const localName = useLocalName();
  const [standing, setStanding] = useState<LegalStanding | null>(null);
  useEffect(() => {
    let live = true;
    api.profiles.list().then((r) => live && setStanding(r.deployment), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!standing?.warning) return null;
  return (
    <Alert
      type="warning"
      showIcon
      banner
      data-testid="legal-standing"
      data-status={standing.status}
      message={`${t('legalStanding.title')} (${standing.profileId})`}
      description={localName(standing.warning)}
      style={{ marginBottom: 12 }}
    />
  );
}
