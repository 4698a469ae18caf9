// Backfill (补录) from playback: the GB/T 28181 cameras on screen whose devices keep recordings
// get a button that downloads, into our recording, what the device holds where we have a gap in
// the selected range (or the timeline's view). The server decides who may and what is missing;
// what it started is said, and the timeline is read again once it has had time to arrive.
import { Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mediaApi } from '../../api/media';
import { useErrorReporter } from '../../common/error-report';
import { useFeedback } from '../../common/feedback';
import { BackfillJobs } from './backfill-jobs';
import type { View } from './timeline-scale';

interface Props {
  /** Cameras on screen whose device answered with its recordings. */
  cameraIds: number[];
  labelOf(id: number): string;
  range: View;
  onStarted(): void;
}

export function BackfillRange({ cameraIds, labelOf, range, onStarted }: Props) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const { message } = useFeedback();
  const [busy, setBusy] = useState(false);
  if (!cameraIds.length) return null;
  const start = async (id: number) => {
    setBusy(true);
    try {
      const job = await mediaApi.gb.backfill(id, range.from, range.to);
      void message.success(t('playback.backfillStarted', { camera: labelOf(id), count: job.pieces.length }));
      onStarted();
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {cameraIds.map((id) => (
        <span key={id}>
          <Button loading={busy} onClick={() => void start(id)} data-testid={`playback-backfill-${id}`} title={t('playback.backfillHelp')}>
            {cameraIds.length > 1 ? `${t('playback.backfill')} · ${labelOf(id)}` : t('playback.backfill')}
          </Button>{' '}
          <BackfillJobs cameraId={id} label={labelOf(id)} />{' '}
        </span>
      ))}
    </>
  );
}
