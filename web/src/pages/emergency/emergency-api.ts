// Emergency connections (接入, tag "emergency connections"), their shapes named from the generated API types.
import { request } from '../../api/client';
import type { ResponseOf } from '../../api/schema.js';

export type EmergencyList = ResponseOf<'/api/v1/emergency-connections', 'get'>;
export type EmergencyConnection = EmergencyList['items'][number];

export const emergencyApi = {
  list: () => request<EmergencyList>('GET', '/emergency-connections'),
  open: (requestId: number) => request<EmergencyConnection>('POST', '/emergency-connections', { json: { requestId } }),
  end: (requestId: number, reason: string) => request<ResponseOf<'/api/v1/emergency-connections/{requestId}/end', 'post'>>('POST', `/emergency-connections/${requestId}/end`, { json: { reason } }),
};
