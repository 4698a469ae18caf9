// The console's side of GET /api/v1/events (Server-Sent Events). EventSource reconnects by
// itself after a drop; the page shows whether the stream is up.
import { useEffect, useRef, useState } from 'react';
import { healthApi } from './health-api';
import { parseHealthEvent, type HealthEvent } from './health-model';

export type StreamState = 'connecting' | 'open' | 'down';

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
    const types: HealthEvent['type'][] = ['alarm', 'work_order', 'diagnostic', 'camera_event'];
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
