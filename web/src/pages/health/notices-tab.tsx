// Removal and relocation notices (R7.3) of the cameras one may see, each judged against the
// notice period of the camera's profile, with its article.
import { Alert, Card, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useAsync } from '../../common/use-async';
import { formatTime } from '../access-requests/request-state';
import type { Camera } from '../../api/types';
import { FileNotice } from './file-notice';
import { healthApi } from './health-api';
import type { Notice } from './health-model';

export function NoticesTab({ cameraName, cameras }: { cameraName: (id: number) => string; cameras: Camera[] }) {
  const { t } = useTranslation();
  const list = useAsync(() => healthApi.notices().then((r) => r.items), []);
  return (
    <Card size="small" title={t('health.notices.title')} extra={<FileNotice cameras={cameras} onFiled={list.reload} />}>
      {list.error ? <Alert type="error" showIcon message={(list.error as Error).message} /> : null}
      <Table<Notice>
        data-testid="notices-table"
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: t('health.notices.empty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('health.camera'), dataIndex: 'cameraId', render: (id: number) => cameraName(id) },
          { title: t('health.notices.kind'), dataIndex: 'kind', render: (k: string) => t(`health.notices.kinds.${k}`, { defaultValue: k }) },
          { title: t('health.notices.noticeAt'), dataIndex: 'noticeAt', render: (v: number) => formatTime(v) },
          { title: t('health.notices.plannedAt'), dataIndex: 'plannedAt', render: (v: number) => formatTime(v) },
          {
            title: t('health.notices.reason'),
            key: 'check',
            render: (_: unknown, n) => (
              <>
                <Tag color={n.inTime ? 'green' : 'red'} data-testid="notice-verdict">{n.inTime ? t('health.notices.inTime') : t('health.notices.late')}</Tag>
                {n.article && <ArticleTags articles={[n.article]} />}
                <div><Typography.Text type="secondary">{n.reason}</Typography.Text></div>
              </>
            ),
          },
        ]}
      />
    </Card>
  );
}
