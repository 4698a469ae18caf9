// The console's side of GET /api/v1/events (Server-Sent Events). EventSource reconnects by
// itself after a drop; the page shows whether the stream is up.
import { useEffect, useRef, useState } from 'react';
import { healthApi, type HealthEvent } from './health-api';

export type StreamState = 'connecting' | 'open' | 'down';

/** Parses one SSE message's data; anything malformed is dropped rather than breaking the feed. */
export function parseHealthEvent(type: string, data: string): HealthEvent | undefined {
  try {
    const e = JSON.parse(data) as HealthEvent;
    return e && typeof e === 'object' && e.type === type ? e : undefined;
  } catch {
    return undefined;
  }
}

export function useHealthEvents(onEvent: (e: HealthEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const source = new EventSource(healthApi.eventsUrl(), { withCredentials: true });
    const listen = (type: HealthEvent['type']) => (m: MessageEvent<string>) => {
      const e = parseHealthEvent(type, m.data);
      if (e) handler.current(e);
    };
    const types: HealthEvent['type'][] = ['alarm', 'work_order', 'diagnostic'];
    const listeners = types.map((type) => [type, listen(type)] as const);
    for (const [type, l] of listeners) source.addEventListener(type, l);
    source.onopen = () => setState('open');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'down' : 'connecting');
    return () => {
      for (const [type, l] of listeners) source.removeEventListener(type, l);
      source.close();
    };
  }, []);
  return state;
}
