// Calls of the event list over /api/v1 (GET /events/search and the pictures of its rows).
import { buildUrl, request } from '../../api/client';
import type { ResponseOf } from '../../api/schema';

export type EventPage = ResponseOf<'/api/v1/events/search', 'get'>;
export type ListedEvent = EventPage['items'][number];

export interface EventFilter {
  from: number;
  to: number;
  cameraIds: number[];
  /** The cameras of an organisation's subtree (region or unit). */
  organisationId?: number | undefined;
  kinds: string[];
  severities: string[];
}

/** The kinds the list knows: the recording index's, then the alarms'. */
export const RECORDING_KINDS = ['gap', 'disconnected', 'connected', 'clock_jump', 'error'] as const;
export const ALARM_KINDS = ['offline', 'finding', 'recovered', 'suspicious_event', 'device_alarm', 'work_order_overdue', 'work_order_police', 'notice_late', 'storage'] as const;
export const SEVERITIES = ['critical', 'warning', 'info'] as const;

export const eventsApi = {
  search: (f: EventFilter, cursor: string | null, signal?: AbortSignal, limit = 50) =>
    request<EventPage>('GET', '/events/search', {
      query: { from: f.from, to: f.to, cameraIds: f.cameraIds.join(','), organisationId: f.organisationId, kinds: f.kinds.join(','), severities: f.severities.join(','), cursor, limit },
      ...(signal ? { signal } : {}),
    }),
  /** The row's picture, or null: an alarm's snapshot, or a frame of the recording at the event's instant (`playAt`). */
  pictureUrl: (e: ListedEvent) =>
    e.picture === 'snapshot' ? buildUrl(`/alarms/${e.sourceId}/snapshot`) : e.picture === 'recording' && e.cameraId !== null ? buildUrl(`/cameras/${e.cameraId}/recorded-frame`, { at: e.playAt }) : null,
};

/**
 * The events to add to those shown when the stream says something happened, for a list whose
 * range reaches the present: those from the newest shown onwards (the server's filter and rule
 * decide), less those already listed, newest first. A recording event is placed at its start, and
 * a gap is known only once footage comes back: `since`, the earliest instant announced, reaches
 * back to it.
 */
export async function newerEvents(f: EventFilter, shown: readonly ListedEvent[], now: number, since?: number): Promise<ListedEvent[]> {
  const from = Math.max(f.from, Math.min(shown[0]?.at ?? f.from, since ?? Number.POSITIVE_INFINITY));
  const page = await eventsApi.search({ ...f, from, to: Math.max(f.to, now + 60_000) }, null, undefined, 200);
  const known = new Set(shown.map((e) => e.id));
  return page.items.filter((e) => !known.has(e.id));
}

/** The list with `fresh` in it, newest first (a stable sort: those at one instant keep their order). */
export function withNewer(shown: readonly ListedEvent[], fresh: readonly ListedEvent[]): ListedEvent[] {
  return [...fresh, ...shown].sort((a, b) => b.at - a.at);
}

/** Playback of one camera at an instant (the playback page reads ?camera=&at=). */
export const playbackLink = (cameraId: number, at: number) => `/playback?camera=${cameraId}&at=${at}`;
