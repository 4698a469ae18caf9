// A diagnostic's snapshot, shown only when it has one: a signal loss keeps no picture, and asking
// for it anyway would put a broken image (and a 404) on the page.
import { Image, Typography } from 'antd';
import { useAsync } from '../../common/use-async';
import { healthApi } from './health-api';

export function DiagnosticSnapshot({ cameraId, diagnosticId, title }: { cameraId: number; diagnosticId: number; title: string }) {
  // The camera's newest results carry the snapshot flag; there is no single-diagnostic read.
  const found = useAsync(() => healthApi.diagnostics(cameraId).then((r) => r.items.find((d) => d.id === diagnosticId)), [cameraId, diagnosticId]);
  if (!found.data?.snapshot) return null;
  return (
    <div>
      <Typography.Text strong>{title}</Typography.Text>
      <Image width="100%" src={healthApi.snapshotUrl(diagnosticId)} alt={title} data-testid="order-snapshot" />
    </div>
  );
}
