// 事件 / Events: alarms and recording events across the cameras one may see, by time range,
// camera, kind and severity, newest first a page at a time; each row with its picture (an alarm's
// snapshot, or a frame of the recording at that instant) and a link that opens playback there.
// The server decides what one sees; every picture shown is registered there as a view.
import { Alert, Button, Card, DatePicker, Form, Image, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { messageOf } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { holds, useMe } from '../../session/session';
import { navigate } from '../../shell/router';
import { formatTime } from '../access-requests/request-state';
import { ALARM_KINDS, eventsApi, playbackLink, RECORDING_KINDS, SEVERITIES, type EventFilter, type ListedEvent } from './events-api';

const SEVERITY_COLOUR: Record<string, string> = { critical: 'red', warning: 'orange', info: 'blue' };
const isRecordingKind = (k: string) => (RECORDING_KINDS as readonly string[]).includes(k);

interface FilterValues {
  range: [Dayjs, Dayjs];
  cameraIds: number[];
  organisationId?: number;
  kinds: string[];
  severities: string[];
}

export default function EventsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const mayPlay = holds(me, 'playback:view', 'footage:view');
  const { catalogue } = useCameraCatalogue();
  const orgName = useOrgName();
  const [form] = Form.useForm<FilterValues>();
  const [filter, setFilter] = useState<EventFilter>(() => ({ from: dayjs().subtract(1, 'day').valueOf(), to: dayjs().add(1, 'minute').valueOf(), cameraIds: [], kinds: [], severities: [] }));
  const [items, setItems] = useState<ListedEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [searches, setSearches] = useState(0);
  const generation = useRef(0);

  const load = useCallback(async (f: EventFilter, cursor: string | null) => {
    const mine = cursor ? generation.current : ++generation.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = await eventsApi.search(f, cursor);
      if (mine !== generation.current) return;
      setItems((cur) => (cursor ? [...cur, ...page.items] : page.items));
      setNext(page.next);
      if (!cursor) setSearches((n) => n + 1);
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(filter, null);
  }, [filter, load]);

  const search = (v: FilterValues) =>
    setFilter({ from: v.range[0].valueOf(), to: v.range[1].valueOf(), cameraIds: v.cameraIds ?? [], organisationId: v.organisationId, kinds: v.kinds ?? [], severities: v.severities ?? [] });

  const kindLabel = (k: string) => (isRecordingKind(k) ? t(`playback.events.${k}`, { defaultValue: k }) : t(`health.alarms.kinds.${k}`, { defaultValue: k }));

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small" title={t('events.title')}>
        <Form<FilterValues>
          form={form}
          layout="inline"
          onFinish={search}
          initialValues={{ range: [dayjs(filter.from), dayjs(filter.to)], cameraIds: [], kinds: [], severities: [] }}
          data-testid="events-filter"
        >
          <Form.Item name="range" label={t('events.range')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime={{ format: 'HH:mm:ss' }} format="YYYY-MM-DD HH:mm:ss" allowClear={false} data-testid="events-range" />
          </Form.Item>
          <Form.Item name="cameraIds" label={t('events.cameras')}>
            <Select
              mode="multiple"
              allowClear
              style={{ minWidth: 220 }}
              placeholder={t('events.allCameras')}
              optionFilterProp="label"
              options={catalogue.cameras.map((c) => ({ value: c.id, label: c.name }))}
              data-testid="events-cameras"
            />
          </Form.Item>
          <Form.Item name="organisationId" label={t('events.organisation')}>
            <Select
              allowClear
              showSearch
              style={{ minWidth: 180 }}
              placeholder={t('events.allOrganisations')}
              optionFilterProp="label"
              options={catalogue.organisations.map((o) => ({ value: o.id, label: orgName(o) }))}
              data-testid="events-organisation"
            />
          </Form.Item>
          <Form.Item name="kinds" label={t('events.kinds')}>
            <Select
              mode="multiple"
              allowClear
              style={{ minWidth: 220 }}
              placeholder={t('events.allKinds')}
              options={[
                { label: t('events.recordingKinds'), options: RECORDING_KINDS.map((k) => ({ value: k, label: kindLabel(k) })) },
                { label: t('events.alarmKinds'), options: ALARM_KINDS.map((k) => ({ value: k, label: kindLabel(k) })) },
              ]}
              data-testid="events-kinds"
            />
          </Form.Item>
          <Form.Item name="severities" label={t('health.alarms.severity')}>
            <Select mode="multiple" allowClear style={{ minWidth: 140 }} options={SEVERITIES.map((s) => ({ value: s, label: t(`health.alarms.severities.${s}`) }))} data-testid="events-severities" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={loading} data-testid="events-search">{t('events.search')}</Button>
          </Form.Item>
        </Form>
      </Card>
      {error ? <Alert type="error" showIcon message={messageOf(t, error)} data-testid="events-error" /> : null}
      <Table<ListedEvent>
        data-testid="events-table"
        data-searches={searches}
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t('events.empty') }}
        columns={[
          { title: t('health.alarms.at'), dataIndex: 'at', width: 170, render: (v: number) => formatTime(v) },
          { title: t('health.camera'), dataIndex: 'cameraName', width: 160 },
          { title: t('health.alarms.kind'), dataIndex: 'kind', width: 150, render: (k: string) => kindLabel(k) },
          { title: t('health.alarms.severity'), dataIndex: 'severity', width: 90, render: (s: string) => <Tag color={SEVERITY_COLOUR[s] ?? 'default'}>{t(`health.alarms.severities.${s}`, { defaultValue: s })}</Tag> },
          {
            title: t('events.picture'),
            key: 'picture',
            width: 180,
            render: (_: unknown, e) => {
              const src = eventsApi.pictureUrl(e);
              return src ? <Image width={160} src={src} alt={kindLabel(e.kind)} loading="lazy" data-testid={`event-picture-${e.id}`} /> : <Typography.Text type="secondary">—</Typography.Text>;
            },
          },
          {
            title: t('events.detail'),
            key: 'detail',
            render: (_: unknown, e) => (typeof e.detail.description === 'string' ? e.detail.description : e.source === 'alarm' ? e.title : ''),
          },
          {
            title: '',
            key: 'open',
            width: 110,
            render: (_: unknown, e) =>
              mayPlay ? (
                <Button size="small" onClick={() => navigate(playbackLink(e.cameraId, e.playAt))} data-testid={`event-playback-${e.id}`}>{t('events.openPlayback')}</Button>
              ) : null,
          },
        ]}
      />
      {next ? (
        <Button block onClick={() => void load(filter, next)} loading={loading} data-testid="events-more">{t('events.more')}</Button>
      ) : null}
    </Space>
  );
}
