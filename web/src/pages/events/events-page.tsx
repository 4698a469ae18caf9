// 事件 / Events: alarms and recording events across the cameras one may see, by time range,
// camera, kind and severity, newest first a page at a time; each row with its picture (an alarm's
// snapshot, or a frame of the recording at that instant) and a link that opens playback there.
// Alarms with no camera (storage, those routed to an organisation) are listed too, for those the
// server's rule lets see them. A list whose range reaches the present takes new events (alarms,
// and recording events as the recorder indexes them) as the event stream (GET /events) announces
// them. The server decides what one sees; every picture shown is registered there as a view.
import { Alert, Badge, Button, Card, Form, Image, Select, Space, Table, Tag, Typography } from 'antd';
import { DatePicker } from '../../common/lazy-date-picker';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCameraCatalogue } from '../../common/camera-catalogue';
import { messageOf } from '../../common/error-report';
import { useOrgName } from '../../common/names';
import { holds, useMe } from '../../session/session';
import { navigate } from '../../shell/router';
import { formatTime } from '../access-requests/request-state';
import { useHealthEvents } from '../health/event-stream';
import { ALARM_KINDS, eventsApi, newerEvents, playbackLink, RECORDING_KINDS, SEVERITIES, withNewer, type EventFilter, type ListedEvent } from './events-api';

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
  // Whether the range searched reached the present when it was searched: then new events join it.
  const [live, setLive] = useState(true);
  const [items, setItems] = useState<ListedEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [searches, setSearches] = useState(0);
  const generation = useRef(0);
  const shown = useRef<ListedEvent[]>([]);
  shown.current = items;
  const [arrived, setArrived] = useState(0);
  const asks = useRef<{ running: boolean; again: boolean; since?: number | undefined }>({ running: false, again: false });
  /** An announcement while the first page is on its way: asked about once that page is shown. */
  const firstPage = useRef({ loading: false, announced: false });

  /**
   * New events the stream announced: asked for one at a time, once more if more came meanwhile;
   * `since` is the earliest instant announced and not yet asked about (a gap starts before it is known).
   */
  const catchUp = useCallback(async (f: EventFilter, since?: number) => {
    const a = asks.current;
    if (since !== undefined) a.since = Math.min(a.since ?? since, since);
    if (a.running) {
      a.again = true;
      return;
    }
    a.running = true;
    const mine = generation.current;
    let from: number | undefined;
    try {
      do {
        a.again = false;
        from = a.since;
        a.since = undefined;
        const fresh = await newerEvents(f, shown.current, Date.now(), from);
        if (mine !== generation.current) return;
        if (fresh.length) {
          shown.current = withNewer(shown.current, fresh);
          setItems(shown.current);
          setArrived((n) => n + fresh.length);
        }
      } while (a.again);
    } catch {
      // The next announcement asks again, from as far back as this one did; the list stays as it was.
      if (from !== undefined) a.since = Math.min(a.since ?? from, from);
    } finally {
      a.running = false;
    }
  }, []);

  const stream = useHealthEvents((e) => {
    // Both sources of the list: alarms, and the recorder's gaps, connects and errors.
    if ((e.type !== 'alarm' && e.type !== 'camera_event') || !live) return;
    const at = e.type === 'camera_event' ? e.at : undefined;
    if (firstPage.current.loading) {
      firstPage.current.announced = true;
      if (at !== undefined) asks.current.since = Math.min(asks.current.since ?? at, at);
    } else void catchUp(filter, at);
  });

  const load = useCallback(async (f: EventFilter, cursor: string | null) => {
    const mine = cursor ? generation.current : ++generation.current;
    if (!cursor) firstPage.current = { loading: true, announced: false };
    setLoading(true);
    setError(undefined);
    try {
      const page = await eventsApi.search(f, cursor);
      if (mine !== generation.current) return;
      shown.current = cursor ? [...shown.current, ...page.items] : page.items;
      setItems(shown.current);
      setNext(page.next);
      if (!cursor) {
        setSearches((n) => n + 1);
        const { announced } = firstPage.current;
        firstPage.current = { loading: false, announced: false };
        if (announced) void catchUp(f);
      }
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) {
        setLoading(false);
        firstPage.current.loading = false;
      }
    }
  }, [catchUp]);

  useEffect(() => {
    void load(filter, null);
  }, [filter, load]);

  const search = (v: FilterValues) => {
    setLive(v.range[1].valueOf() >= Date.now());
    setFilter({ from: v.range[0].valueOf(), to: v.range[1].valueOf(), cameraIds: v.cameraIds ?? [], organisationId: v.organisationId, kinds: v.kinds ?? [], severities: v.severities ?? [] });
  };

  const kindLabel = (k: string) => (isRecordingKind(k) ? t(`playback.events.${k}`, { defaultValue: k }) : t(`health.alarms.kinds.${k}`, { defaultValue: k }));

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        size="small"
        title={t('events.title')}
        extra={
          <span data-testid="events-live" data-live={live ? 'yes' : 'no'} data-stream={stream} data-arrived={arrived}>
            {live ? <Badge status={stream === 'open' ? 'processing' : 'default'} text={t(stream === 'open' ? 'events.live' : 'events.liveConnecting')} /> : <Typography.Text type="secondary">{t('events.notLive')}</Typography.Text>}
          </span>
        }
      >
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
          {
            title: t('events.where'),
            key: 'where',
            width: 160,
            render: (_: unknown, e) =>
              e.cameraId !== null ? e.cameraName : e.organisationId !== null ? orgName(catalogue.organisations.find((o) => o.id === e.organisationId), `#${e.organisationId}`) : <Typography.Text type="secondary">{t('events.platformWide')}</Typography.Text>,
          },
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
              mayPlay && e.cameraId !== null ? (
                <Button size="small" onClick={() => navigate(playbackLink(e.cameraId!, e.playAt))} data-testid={`event-playback-${e.id}`}>{t('events.openPlayback')}</Button>
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
