// Playback's export controls: the range selected on the timeline (Shift-drag, or marked start and
// end at the clock) goes to the export dialog with the cameras on screen and the request played
// under, so the officer never types the range again.
import { Button, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { holds, useMe } from '../../session/session';
import { formatTime } from '../access-requests/request-state';
import { ExportDialog } from '../exports/export-dialog';
import type { View } from './timeline-scale';

interface Props {
  cursor: number | null;
  cameraIds: number[];
  requestId?: number;
  selection: View | null;
  onSelect(v: View | null): void;
  onStarted(): void;
}

export function ExportRange({ cursor, cameraIds, requestId, selection, onSelect, onStarted }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!holds(useMe(), 'footage:copy', 'footage:retrieve')) return null;
  const mark = (end: 'from' | 'to') => {
    if (cursor === null) return;
    const at = Math.round(cursor / 1000) * 1000;
    const s = selection ?? { from: at, to: at };
    const next = end === 'from' ? { from: at, to: Math.max(at, s.to) } : { from: Math.min(at, s.from), to: at };
    onSelect(next);
  };
  return (
    <Space wrap>
      <Button onClick={() => mark('from')} disabled={cursor === null} data-testid="playback-mark-in">{t('playback.markIn')}</Button>
      <Button onClick={() => mark('to')} disabled={cursor === null} data-testid="playback-mark-out">{t('playback.markOut')}</Button>
      {selection && selection.to > selection.from && (
        <>
          <Typography.Text data-testid="playback-selection">{t('playback.selection', { from: formatTime(selection.from), to: formatTime(selection.to) })}</Typography.Text>
          <Button size="small" type="link" onClick={() => onSelect(null)}>{t('playback.clearSelection')}</Button>
        </>
      )}
      <Button type="primary" disabled={!cameraIds.length} onClick={() => setOpen(true)} data-testid="playback-export">{t('playback.exportRange')}</Button>
      <ExportDialog
        open={open}
        preset={{ requestId, cameraIds, from: selection && selection.to > selection.from ? selection.from : undefined, to: selection && selection.to > selection.from ? selection.to : undefined }}
        onClose={() => setOpen(false)}
        onStarted={onStarted}
      />
    </Space>
  );
}
