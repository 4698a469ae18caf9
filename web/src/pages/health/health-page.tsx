// Keeping cameras running (issue 7): rates against the profile's targets, work orders, alarms
// with the live event stream, and each camera's diagnostics.
import { Tabs } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { AlarmsTab } from './alarms-tab';
import { DiagnosticsTab } from './diagnostics-tab';
import { ForceMajeureTab } from './force-majeure-tab';
import { NoticesTab } from './notices-tab';
import { RatesTab } from './rates-tab';
import { WorkOrdersTab } from './work-orders-tab';

export default function HealthPage() {
  const { t } = useTranslation();
  const { catalogue } = useCameraCatalogue();
  const [tab, setTab] = useState('rates');
  const [cameraId, setCameraId] = useState<number>();
  const cameraName = useCallback((id: number) => catalogue.byId.get(id)?.name ?? `#${id}`, [catalogue]);

  return (
    <Tabs
      data-testid="health-tabs"
      activeKey={tab}
      onChange={setTab}
      items={[
        { key: 'rates', label: t('health.tabs.rates'), children: <RatesTab /> },
        { key: 'orders', label: t('health.tabs.orders'), children: <WorkOrdersTab cameraName={cameraName} cameras={catalogue.cameras} /> },
        { key: 'alarms', label: t('health.tabs.alarms'), children: <AlarmsTab cameraName={cameraName} /> },
        { key: 'diagnostics', label: t('health.tabs.diagnostics'), children: <DiagnosticsTab cameras={catalogue.cameras} cameraId={cameraId} onCamera={setCameraId} /> },
        { key: 'notices', label: t('health.tabs.notices'), children: <NoticesTab cameraName={cameraName} cameras={catalogue.cameras} /> },
        { key: 'force-majeure', label: t('health.tabs.forceMajeure'), children: <ForceMajeureTab cameraName={cameraName} cameras={catalogue.cameras} /> },
      ]}
    />
  );
}
