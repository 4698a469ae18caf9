// Keeping cameras running (issue 7): rates against the profile's targets, work orders, alarms
// with the live event stream, and each camera's diagnostics.
import { Spin, Tabs } from 'antd';
import { lazy, Suspense, useCallback, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { RatesTab } from './rates-tab';

// The page opens on the rates; each other tab is a bundle of its own, fetched when first opened,
// so the first paint neither fetches nor runs the event stream, the date pickers and the forms.
const WorkOrdersTab = lazy(() => import('./work-orders-tab').then((m) => ({ default: m.WorkOrdersTab })));
const AlarmsTab = lazy(() => import('./alarms-tab').then((m) => ({ default: m.AlarmsTab })));
const DiagnosticsTab = lazy(() => import('./diagnostics-tab').then((m) => ({ default: m.DiagnosticsTab })));
const NoticesTab = lazy(() => import('./notices-tab').then((m) => ({ default: m.NoticesTab })));
const ForceMajeureTab = lazy(() => import('./force-majeure-tab').then((m) => ({ default: m.ForceMajeureTab })));

const later = (node: ReactNode) => <Suspense fallback={<Spin style={{ display: 'block', marginTop: 40 }} />}>{node}</Suspense>;

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
        { key: 'orders', label: t('health.tabs.orders'), children: later(<WorkOrdersTab cameraName={cameraName} cameras={catalogue.cameras} />) },
        { key: 'alarms', label: t('health.tabs.alarms'), children: later(<AlarmsTab cameraName={cameraName} />) },
        { key: 'diagnostics', label: t('health.tabs.diagnostics'), children: later(<DiagnosticsTab cameras={catalogue.cameras} cameraId={cameraId} onCamera={setCameraId} />) },
        { key: 'notices', label: t('health.tabs.notices'), children: later(<NoticesTab cameraName={cameraName} cameras={catalogue.cameras} />) },
        { key: 'force-majeure', label: t('health.tabs.forceMajeure'), children: later(<ForceMajeureTab cameraName={cameraName} cameras={catalogue.cameras} />) },
      ]}
    />
  );
}
