// The camera's backfills (补录) as the server keeps them, across its restarts: each job's span,
// state (running, done, failed, or interrupted when the server stopped while it ran) and how
// many of its ranges were written. Read when opened; the server decides who may see them.
import { Button, Popover, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mediaApi } from '../../api/media';
import { useErrorReporter } from '../../common/error-report';
import { formatTime } from '../access-requests/request-state';

type Job = Awaited<ReturnType<typeof mediaApi.gb.backfills>>['items'][number];
const COLOUR: Record<Job['state'], string> = { running: 'processing', done: 'success', failed: 'error', interrupted: 'warning' };

export function BackfillJobs({ cameraId, label }: { cameraId: number; label: string }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [jobs, setJobs] = useState<Job[]>();
  const load = () => mediaApi.gb.backfills(cameraId).then((r) => setJobs(r.items), report);
  return (
    <Popover
      trigger="click"
      title={`${t('playback.backfillJobs')} · ${label}`}
      onOpenChange={(open) => open && void load()}
      content={
        <Table<Job>
          size="small"
          rowKey="id"
          pagination={false}
          loading={!jobs}
          dataSource={jobs ?? []}
          data-testid={`backfill-jobs-${cameraId}`}
          style={{ width: 620 }}
          columns={[
            { title: t('playback.backfillSpan'), render: (_, j) => `${formatTime(j.from)} – ${formatTime(j.to)}` },
            { title: t('playback.backfillState'), render: (_, j) => <Tag color={COLOUR[j.state]} data-state={j.state} title={j.error ?? undefined}>{t(`playback.backfillStates.${j.state}`)}</Tag> },
            { title: t('playback.backfillWritten'), render: (_, j) => `${j.pieces.filter((p) => p.state === 'done').length} / ${j.pieces.length}` },
            { title: t('playback.backfillStartedAt'), render: (_, j) => formatTime(j.startedAt) },
          ]}
        />
      }
    >
      <Button data-testid={`backfill-jobs-open-${cameraId}`}>{t('playback.backfillJobs')}</Button>
    </Popover>
  );
}
