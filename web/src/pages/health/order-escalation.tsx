// Where a work order stands on its ladder: the duty the text sets for faults (with its article),
// the maintainer's response deadline and response, and who has been told — each hour marked as
// the law's (with its article) or the platform's default where the text gives no number.
import { Alert, Button, Descriptions, Space, Steps, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { formatTime } from '../access-requests/request-state';
import { healthApi } from './health-api';
import { canRespond, escalationLevel, type PlannedDeadline, type WorkOrder } from './health-model';

function Hours({ d }: { d: PlannedDeadline | undefined }) {
  const { t } = useTranslation();
  if (!d || d.hours === null) return null;
  return (
    <Space size={4}>
      <span>({t('health.orders.hours', { count: d.hours })})</span>
      {d.article ? <ArticleTags articles={[d.article]} /> : d.platformDefault ? <Tag data-testid="platform-default">{t('health.orders.platformDefault')}</Tag> : null}
    </Space>
  );
}

export function OrderEscalation({ order, onChanged }: { order: WorkOrder; onChanged(): void }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [busy, setBusy] = useState(false);
  const level = escalationLevel(order);
  const plan = order.plan;
  const duty = plan?.duty;

  const respond = async () => {
    setBusy(true);
    try {
      await healthApi.workOrders.respond(order.id);
      onChanged();
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="order-escalation">
      <Descriptions size="small" column={1} bordered>
        {duty && (
          <Descriptions.Item label={t('health.orders.duty')}>
            <Space size={4} wrap>
              {duty.value ? <span data-testid="order-duty">{t(`health.orders.duties.${duty.value}`, { defaultValue: duty.value })}</span> : '—'}
              {duty.article && <ArticleTags articles={[duty.article]} />}
            </Space>
            {duty.note && <div><Typography.Text type="secondary">{duty.note}</Typography.Text></div>}
          </Descriptions.Item>
        )}
        {order.respondBy != null && (
          <Descriptions.Item label={t('health.orders.respondBy')}>
            <Space size={4} wrap>{formatTime(order.respondBy)}<Hours d={plan?.respond} /></Space>
          </Descriptions.Item>
        )}
        {order.respondedAt != null && <Descriptions.Item label={t('health.orders.responded')}><span data-testid="order-responded">{formatTime(order.respondedAt)}</span></Descriptions.Item>}
        {order.policeDueAt != null && (
          <Descriptions.Item label={t('health.orders.policeDue')}>
            <Space size={4} wrap>{formatTime(order.policeDueAt)}<Hours d={plan?.police} /></Space>
          </Descriptions.Item>
        )}
      </Descriptions>
      <Steps
        size="small"
        data-testid="order-ladder"
        current={level}
        status={level === 0 ? 'process' : 'error'}
        items={[0, 1, 2].map((l) => ({ title: t(`health.orders.level.${l}`) }))}
      />
      {canRespond(order) && (
        <Alert
          type="info"
          showIcon
          message={t('health.orders.respondHelp')}
          action={<Button size="small" type="primary" data-testid="respond-order" loading={busy} onClick={respond}>{t('health.orders.respond')}</Button>}
        />
      )}
    </Space>
  );
}
